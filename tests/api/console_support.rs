//! A browser's session in the staff console, for the tests: the session cookie, the form token
//! every form must carry, and requests that send both — plain HTTP, no browser (the browser
//! test of the console drives Chromium instead).

use crate::helpers::{TestApp, TestResponse};

/// A person signed in to the console.
#[derive(Clone, Debug)]
pub struct Console {
    /// The `mt_console` cookie's value.
    pub cookie: String,
    /// The session's form token (what every page's forms carry).
    pub csrf: String,
}

/// The value of the cookie `name` that `response` sets, if any.
pub fn set_cookie(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
}

/// `fields` as a form body.
pub fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        serializer.append_pair(name, value);
    }
    serializer.finish().into_bytes()
}

impl TestApp {
    /// Signs in through the console's form (GET for its token, POST with it); panics unless it
    /// lands with a session cookie.
    pub async fn console_sign_in(&self, email: &str, password: &str) -> Console {
        let form = self
            .send(self.request("GET", "/console/login", None), None)
            .await;
        assert_eq!(form.status, 200, "{}", form.text());
        let token = set_cookie(&form, "mt_sign_in").expect("the sign-in form sets its token");
        let posted = self
            .send(
                self.request("POST", "/console/login", None)
                    .insert_header(("cookie", format!("mt_sign_in={token}")))
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
                Some(form_body(&[
                    ("token", &token),
                    ("email", email),
                    ("password", password),
                ])),
            )
            .await;
        assert_eq!(posted.status, 303, "sign-in of {email}: {}", posted.text());
        let cookie = set_cookie(&posted, "mt_console").expect("a session cookie");
        let session = self
            .state
            .browser_sessions
            .open(&cookie)
            .expect("the cookie names a session");
        Console {
            csrf: self.state.browser_sessions.csrf_token(&session),
            cookie,
        }
    }

    /// A console page as `console` sees it.
    pub async fn console_get(&self, console: &Console, path: &str) -> TestResponse {
        let request = self
            .request("GET", path, None)
            .insert_header(("cookie", format!("mt_console={}", console.cookie)));
        self.send(request, None).await
    }

    /// Posts a console form with the session's form token added.
    pub async fn console_post(
        &self,
        console: &Console,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut all = vec![("csrf", console.csrf.as_str())];
        all.extend_from_slice(fields);
        self.console_post_raw(console, path, &form_body(&all)).await
    }

    /// Posts `body` as a form, exactly as given (no form token added).
    pub async fn console_post_raw(
        &self,
        console: &Console,
        path: &str,
        body: &[u8],
    ) -> TestResponse {
        let request = self
            .request("POST", path, None)
            .insert_header(("cookie", format!("mt_console={}", console.cookie)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"));
        self.send(request, Some(body.to_vec())).await
    }
}
