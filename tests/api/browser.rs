//! A real browser for the tests of the worker's pages: headless Chromium driven over WebDriver by
//! `chromedriver` (Debian's `chromium-driver`), which this harness starts on a free loopback
//! port for each test and stops afterwards.
//!
//! The client is the W3C WebDriver protocol spoken directly over `awc`, already the tests' HTTP
//! client: the dozen commands these tests use (open a URL, find an element, type, click, read
//! text, take a screenshot) are a few JSON requests each, and the WebDriver crates bring much
//! more than that into the build (docs/workers.md, "How the pages are tested").
//!
//! The browser is a phone: Chromium's mobile emulation at 360 × 800 CSS pixels (device pixel
//! ratio 2) with the user agent of a messaging app's built-in browser, asking for Chinese.
//! With `SCREENSHOTS=<dir>` set, [`Browser::screenshot`] writes a full-page PNG there; otherwise
//! it does nothing, so an ordinary test run writes nothing into the repository.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod screenshots;

/// The key of an element reference in WebDriver's JSON (W3C §12.1).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The width and height of the phone, in CSS pixels.
pub const PHONE: (u32, u32) = (360, 800);

/// The screen of an office PC, the staff console's first target.
pub const DESKTOP: (u32, u32) = (1366, 768);

/// Which screen the browser emulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    Phone,
    Desktop,
}

/// A messaging app's in-app browser on Android (WeChat's), as workers open the texted links.
const USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) \
     AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 \
     XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin \
     NetType/WIFI Language/zh_CN ABI/arm64";

/// A running chromedriver with one browser session. Dropping it ends the session and the
/// driver, also when the test failed half-way.
pub struct Browser {
    driver: Child,
    port: u16,
    base: String,
    session: String,
    client: awc::Client,
    screenshots: Option<PathBuf>,
    width: u32,
}

/// An element found on the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

/// Where `chromedriver` is, if it is installed.
fn chromedriver() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMEDRIVER") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromedriver"))
            .find(|candidate| candidate.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Browser {
    /// Starts chromedriver and a phone-sized headless Chromium. `None`, with a notice, when
    /// chromedriver is not installed and `CI` is not set; in CI a missing driver fails the test.
    /// `screenshots`: whether [`Browser::screenshot`] writes (when `SCREENSHOTS` is set too).
    pub async fn start(screenshots: bool) -> Option<Self> {
        Self::start_as(screenshots, Screen::Phone).await
    }

    /// Starts a browser the size of an office PC's screen (1366×768), for the staff console.
    pub async fn start_desktop(screenshots: bool) -> Option<Self> {
        Self::start_as(screenshots, Screen::Desktop).await
    }

    async fn start_as(screenshots: bool, screen: Screen) -> Option<Self> {
        let Some(binary) = chromedriver() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but chromedriver is not installed: .ci/run installs chromium-driver"
            );
            eprintln!(
                "chromedriver is not installed (apt-get install chromium-driver): \
                 the browser test is skipped"
            );
            return None;
        };
        let port = free_port();
        let driver = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish();
        let mut browser = Self {
            driver,
            port,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            client,
            screenshots: std::env::var_os("SCREENSHOTS")
                .filter(|_| screenshots)
                .map(PathBuf::from),
            width: match screen {
                Screen::Phone => PHONE.0,
                Screen::Desktop => DESKTOP.0,
            },
        };
        browser.wait_until_ready().await;
        browser.session = browser.new_session(screen).await;
        Some(browser)
    }

    async fn wait_until_ready(&self) {
        let started = Instant::now();
        loop {
            if let Ok(mut response) = self
                .client
                .get(format!("{}/status", self.base))
                .send()
                .await
            {
                if let Ok(status) = response.json::<Value>().await {
                    if status["value"]["ready"] == true {
                        return;
                    }
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not become ready"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_session(&self, screen: Screen) -> String {
        let (width, height) = match screen {
            Screen::Phone => PHONE,
            Screen::Desktop => DESKTOP,
        };
        let mut args = vec![
            "--headless=new".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=zh-CN".to_owned(),
            format!("--window-size={width},{height}"),
        ];
        // As root (CI, containers) Chromium refuses to start inside its sandbox.
        if std::env::var("USER").is_ok_and(|u| u == "root") || is_root() {
            args.push("--no-sandbox".to_owned());
        }
        let mut options = json!({
            "args": args,
            "mobileEmulation": {
                "deviceMetrics": {"width": PHONE.0, "height": PHONE.1, "pixelRatio": 2.0},
                "userAgent": USER_AGENT,
            },
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        });
        if screen == Screen::Desktop {
            options
                .as_object_mut()
                .expect("an object")
                .remove("mobileEmulation");
        }
        if let Ok(binary) = std::env::var("CHROME_BIN") {
            options["binary"] = json!(binary);
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let answer = self
            .command("POST", "/session", Some(capabilities))
            .await
            .unwrap_or_else(|e| panic!("no browser session: {e}"));
        answer["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned()
    }

    /// Sends one WebDriver command; its `value`, or the driver's error.
    async fn command(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self.client.request(method, format!("{}{path}", self.base));
        let sent = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(|e| format!("{path}: {e}"))?;
        let answer: Value = response
            .json()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        if response.status().is_success() {
            Ok(answer["value"].clone())
        } else {
            Err(format!(
                "{path}: {} {}",
                answer["value"]["error"], answer["value"]["message"]
            ))
        }
    }

    async fn session_command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.command(method, &path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.session_command("POST", "/url", Some(json!({"url": url})))
            .await;
    }

    /// Resizes the browser's window (CSS pixels), e.g. to a phone's width on a desktop session.
    pub async fn resize(&self, width: u32, height: u32) {
        self.session_command(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// The URL of the current page.
    pub async fn url(&self) -> String {
        self.session_command("GET", "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching `css`, waiting up to five seconds for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let path = format!("/session/{}/element", self.session);
        let started = Instant::now();
        loop {
            let found = self
                .command(
                    "POST",
                    &path,
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            match found {
                Ok(value) => return Element(value[ELEMENT_KEY].as_str().unwrap().to_owned()),
                Err(error) if started.elapsed() > Duration::from_secs(5) => {
                    panic!("no `{css}` on {}: {error}", self.url().await)
                }
                Err(_) => actix_web::rt::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.text_of(&element).await
    }

    pub async fn text_of(&self, element: &Element) -> String {
        self.session_command("GET", &format!("/element/{}/text", element.0), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A DOM property of the element matching `css` (`value`, `checked`, …).
    pub async fn property(&self, css: &str, name: &str) -> Value {
        let element = self.find(css).await;
        self.session_command(
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
        .await
    }

    /// Clears the field matching `css` and types `text` into it, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.session_command(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await;
        self.session_command(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Clicks the element matching `css` (and waits for the page it loads, if any).
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.session_command(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks the element matching `css` that leads to another page (a submit button, a link)
    /// and waits until that page has replaced this one and loaded: a click returns before a
    /// form's answer arrives.
    pub async fn click_through(&self, css: &str) {
        let before = self.find("html").await;
        self.click(css).await;
        self.wait_for_next_page(&before, css).await;
    }

    /// Presses Enter in the field matching `css`, as a phone's "Go" key does, and waits for the
    /// page the form's default button leads to.
    pub async fn press_enter_in(&self, css: &str) {
        let before = self.find("html").await;
        let field = self.find(css).await;
        self.session_command(
            "POST",
            &format!("/element/{}/value", field.0),
            Some(json!({"text": "\u{E007}"})),
        )
        .await;
        self.wait_for_next_page(&before, css).await;
    }

    /// Waits until the document `before` is gone and the next one has loaded.
    async fn wait_for_next_page(&self, before: &Element, cause: &str) {
        let path = format!(
            "/session/{}/element/{}/property/tagName",
            self.session, before.0
        );
        let started = Instant::now();
        loop {
            // While the old document goes, reading its root fails: stale, or (mid-navigation)
            // no longer in the document.
            match self.command("GET", &path, None).await {
                Err(_) => break,
                Ok(_) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(15),
                        "`{cause}` led nowhere"
                    );
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        let ready = format!("/session/{}/execute/sync", self.session);
        let script = json!({"script": "return document.readyState", "args": []});
        while self.command("POST", &ready, Some(script.clone())).await != Ok(json!("complete")) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the page did not load"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page (WebDriver's own evaluation, which no CSP restricts).
    pub async fn eval(&self, script: &str) -> Value {
        self.session_command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// What the page wrote to the console: CSP violations and script errors land here.
    pub async fn console(&self) -> Vec<String> {
        let path = format!("/session/{}/se/log", self.session);
        match self
            .command("POST", &path, Some(json!({"type": "browser"})))
            .await
        {
            Ok(entries) => entries
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| format!("{} {}", e["level"], e["message"]))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .map(|line| line.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session (closing Chromium) with a plain blocking request: no runtime is
        // needed in a destructor, and a failed test still leaves no browser behind.
        if !self.session.is_empty() {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
                     Connection: close\r\n\r\n",
                    self.session, self.port
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let _ = stream.read_to_end(&mut Vec::new());
                }
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
