//! An office's machine credentials, for the admin: `GET /console/offices/{id}/clients` (the
//! list and the form to issue one), `POST /console/offices/{id}/clients` (issues one and shows
//! its secret, once), `POST /console/offices/{id}/clients/{client_id}/revoke`. Everything is
//! `auth::clients_use_cases`: only admins, only partner offices that have a role for a client.
//!
//! Issuing answers with the page itself rather than a redirect: the secret exists nowhere but
//! in that answer (it is stored hashed), and a redirect would have to carry it in a URL.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{done_notice, drawn, drawn_again, when, Field, Problems};
use super::layout::{self, failure, see_other, Area, Chrome, ConsoleUser};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::auth::clients::ClientView;
use crate::auth::clients_use_cases::{self as clients, CreateClient, CreatedClient};
use crate::domain::ids::OfficeId;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::offices::use_cases as offices;
use crate::offices::OfficeView;
use crate::pages::forms::Values;
use crate::pages::layout::texts;

texts! {
    /// The words of the machine credentials' page.
    ClientsTexts {
        intro = "console.clients.intro",
        name = "console.clients.name",
        name_hint = "console.clients.name_hint",
        client_id = "console.clients.client_id",
        created_at = "console.clients.created_at",
        state = "console.clients.state",
        active = "console.clients.active",
        revoked = "console.clients.revoked",
        revoke = "console.clients.revoke",
        revoke_explain = "console.clients.revoke_explain",
        revoke_confirm = "console.clients.revoke_confirm",
        create_section = "console.clients.create_section",
        create = "console.clients.create",
        empty = "console.clients.empty",
        secret_title = "console.clients.secret_title",
        secret_explain = "console.clients.secret_explain",
        client_secret = "console.clients.client_secret",
        back = "console.clients.back",
    }
}

/// The notices after a form that worked (`?done=`).
const NOTICES: &[(&str, &str)] = &[("revoked", "console.clients.done.revoked")];

/// A row of the list.
struct ClientRow {
    name: String,
    client_id: String,
    created_at: String,
    revoked_at: Option<String>,
    revoke: String,
}

#[derive(Template)]
#[template(path = "console/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    title: String,
    t: ClientsTexts,
    notice: Option<String>,
    alert: Option<String>,
    created: Option<CreatedClient>,
    rows: Vec<ClientRow>,
    action: String,
    back: String,
    name: Field,
}

/// What the page shows besides the list: a notice, a client just issued, the form's state.
struct Shown<'a> {
    notice: Option<String>,
    created: Option<CreatedClient>,
    values: &'a Values,
    problems: &'a Problems,
}

impl<'a> Shown<'a> {
    fn nothing(values: &'a Values, problems: &'a Problems) -> Self {
        Self {
            notice: None,
            created: None,
            values,
            problems,
        }
    }
}

fn clients_page(
    lang: Lang,
    user: &ConsoleUser,
    (office, list): (OfficeView, Vec<ClientView>),
    shown: Shown<'_>,
) -> Result<String, AppError> {
    let t = ClientsTexts::new(lang);
    let base = format!("/console/offices/{}/clients", office.id);
    let rows = list
        .into_iter()
        .map(|client| ClientRow {
            revoke: format!("{base}/{}/revoke", client.client_id),
            created_at: when(client.created_at),
            revoked_at: client.revoked_at.map(when),
            name: client.name,
            client_id: client.client_id,
        })
        .collect();
    let view = ClientsPage {
        chrome: Chrome::new(lang, user, Area::Offices),
        title: msg!("console.clients.title", office = office.name.clone()).render(lang),
        notice: shown.notice,
        alert: shown.problems.notice.clone(),
        created: shown.created,
        rows,
        back: format!("/console/offices/{}", office.id),
        action: base,
        name: Field::text("client", "name", &t.name, shown.values, shown.problems)
            .required()
            .hint(&t.name_hint),
        t,
    };
    view.render().map_err(layout::rendering)
}

/// The office `id` and its clients (404 for an unknown office, 403 for anyone but an admin).
async fn load(
    state: &AppState,
    user: &ConsoleUser,
    id: OfficeId,
) -> Result<(OfficeView, Vec<ClientView>), AppError> {
    let caller = user.caller.clone();
    state
        .db
        .run(move |c| {
            let list = clients::list_clients(c, &caller, &id)?;
            Ok((offices::get(c, &caller, &id)?, list))
        })
        .await
}

/// `GET /console/offices/{id}/clients`: the office's credentials and the form to issue one.
pub async fn clients_list(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<OfficeId>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let loaded = load(&state, &user, id.into_inner()).await;
    drawn(lang, &user, loaded, |loaded| {
        let (values, problems) = (Values::default(), Problems::none());
        let mut what = Shown::nothing(&values, &problems);
        what.notice = done_notice(&query, NOTICES, lang);
        clients_page(lang, &user, loaded, what)
    })
}

/// `POST /console/offices/{id}/clients`: issues credentials and shows the secret this once;
/// the form again with the error when the office can have none or the name is wrong.
pub async fn create(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<OfficeId>,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        let (id, caller, now) = (id.into_inner(), user.caller.clone(), state.clock.now());
        let office = id.clone();
        let input = CreateClient {
            name: values.get("name").to_owned(),
        };
        let created = state
            .db
            .run(move |c| clients::create_client(c, &caller, &office, input, now))
            .await;
        issued(&state, &user, id, &values, created).await
    })
    .await
}

/// The page after issuing: with the new client's secret, or with the form again and `error`.
async fn issued(
    state: &AppState,
    user: &ConsoleUser,
    id: OfficeId,
    values: &Values,
    created: Result<CreatedClient, AppError>,
) -> HttpResponse {
    let lang = lang();
    let loaded = load(state, user, id).await;
    match created {
        Ok(created) => drawn(lang, user, loaded, |loaded| {
            let (blank, problems) = (Values::default(), Problems::none());
            let mut what = Shown::nothing(&blank, &problems);
            what.created = Some(created);
            clients_page(lang, user, loaded, what)
        }),
        Err(error) => drawn_again(lang, user, &error, &["name"], loaded, |loaded, problems| {
            clients_page(lang, user, loaded, Shown::nothing(values, problems))
        }),
    }
}

/// `POST /console/offices/{id}/clients/{client_id}/revoke`: the client's tokens stop working at
/// once (the use case ends its sessions in the same transaction).
pub async fn revoke(
    state: web::Data<AppState>,
    user: ConsoleUser,
    path: web::Path<(OfficeId, String)>,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |_| {
        let ((office, client), caller, now) =
            (path.into_inner(), user.caller.clone(), state.clock.now());
        let back = format!("/console/offices/{office}/clients");
        let revoked = state
            .db
            .run(move |c| clients::revoke_client(c, &caller, &office, &client, now))
            .await;
        match revoked {
            Ok(()) => see_other(&format!("{back}?done=revoked")),
            Err(error) => failure(lang(), Some(&user), error),
        }
    })
    .await
}
