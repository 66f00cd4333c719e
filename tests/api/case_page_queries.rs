//! The case page's read (`cases::page::load`, behind `/console/cases/{id}`) costs a fixed,
//! small number of statements: the caller's visibility is checked once, not once per section,
//! and no section reads one row at a time. Counted with diesel's instrumentation on a
//! connection of the test's own database.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, InstrumentationEvent};
use mediation_tracker::auth::caller::{Caller, Principal};
use mediation_tracker::cases::page::{load, Pages};
use mediation_tracker::db::DbConnection;
use mediation_tracker::domain::ids::{CaseId, OfficeId, UserId};
use mediation_tracker::offices::OfficeKind;
use mediation_tracker::pagination::{PageRequest, MAX_LIMIT};
use mediation_tracker::timeline::use_cases::TimelinePage;
use mediation_tracker::users::Role;
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

/// The most statements the page may take, `BEGIN` and `COMMIT` of its snapshot included: the
/// case with its office's time zone (and a supervisor's office tree), the agreement with its
/// terms, one query per list with the batch-loaded offices and names, and what the forms offer.
const MOST_STATEMENTS: usize = 19;

/// A connection that writes down every statement it runs.
struct Counted {
    connection: DbConnection,
    statements: Arc<Mutex<Vec<String>>>,
}

impl Counted {
    fn open(app: &TestApp) -> Self {
        let statements = Arc::new(Mutex::new(Vec::new()));
        let mut connection = DbConnection::open(&app.database_url).expect("open the database");
        let sink = statements.clone();
        connection.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                sink.lock().unwrap().push(query.to_string());
            }
        });
        Self {
            connection,
            statements,
        }
    }

    /// The statements the case page of `case` takes for `caller`.
    fn page_statements(&mut self, caller: &Caller, case: &Value) -> Vec<String> {
        self.statements.lock().unwrap().clear();
        let pages = Pages {
            parties: PageRequest {
                limit: MAX_LIMIT,
                after: None,
            },
            events: TimelinePage {
                after: 0,
                limit: MAX_LIMIT,
            },
        };
        let id = CaseId::from(case["id"].as_str().unwrap());
        let file = load(&mut self.connection, caller, &id, &pages, caller.now)
            .expect("the case page loads");
        assert_eq!(file.case.id, id.as_str());
        self.statements.lock().unwrap().clone()
    }
}

/// `persona` as the use cases see them: union staff of `office`.
fn union_caller(app: &TestApp, persona: &Persona, role: Role, office: &Value) -> Caller {
    Caller {
        principal: Principal::User {
            id: UserId::from(persona.id.as_str()),
        },
        role,
        office_id: Some(OfficeId::from(office["id"].as_str().unwrap())),
        office_kind: Some(OfficeKind::Union),
        session_id: String::new(),
        now: app.state.clock.now(),
    }
}

/// Posts `body` to the case's `tail` as `persona`; panics unless it is created.
async fn add(app: &TestApp, persona: &Persona, case: &Value, tail: &str, body: Value) {
    let path = format!("/api/v1/cases/{}/{tail}", case["id"].as_str().unwrap());
    let answer = app.post_json(&path, Some(&persona.token), &body).await;
    assert_eq!(answer.status, 201, "{tail}: {}", answer.text());
}

/// One more referral (of `kind`, to `office`), joint session, payment and note on `case`.
async fn one_more_of_each(
    app: &TestApp,
    mediator: &Persona,
    case: &Value,
    (office, kind): (&Value, &str),
) {
    let now = app.state.clock.now();
    let referral = json!({"office_id": office["id"], "kind": kind, "request": "请协助"});
    add(app, mediator, case, "referrals", referral).await;
    let session = json!({"scheduled_at": now + chrono::Duration::days(2), "location": "调解室",
                         "office_ids": [office["id"]]});
    add(app, mediator, case, "sessions", session).await;
    add(
        app,
        mediator,
        case,
        "payments",
        json!({"amount_fen": 10_000, "paid_at": now}),
    )
    .await;
    add(
        app,
        mediator,
        case,
        "notes",
        json!({"body": "已电话联系企业主"}),
    )
    .await;
}

api_test!(
    async fn the_case_page_checks_visibility_once_and_reads_no_row_at_a_time(app) {
        let world = app.world().await;
        let mediator = &world.mediator;
        let case = app.register_case(mediator, &furniture_factory_case()).await;
        for action in ["accept", "start"] {
            assert_eq!(app.transition(mediator, &case, json!({"action": action})).await.status, 200);
        }
        let now = app.state.clock.now();
        let term = json!({"description": "工资", "amount_fen": 300_000, "payee": "张先生",
                          "due_date": (now + chrono::Duration::days(7)).date_naive()});
        add(&app, mediator, &case, "agreements", json!({"signed_at": now, "terms": [term]})).await;
        one_more_of_each(&app, mediator, &case, (&world.police, "locate_party")).await;
        let readers = [
            union_caller(&app, mediator, Role::UnionMediator, &world.town_union),
            union_caller(&app, &world.supervisor, Role::UnionSupervisor, &world.county_union),
        ];
        let mut counted = Counted::open(&app);
        let before: Vec<Vec<String>> = readers.iter().map(|r| counted.page_statements(r, &case)).collect();
        one_more_of_each(&app, mediator, &case, (&world.hr, "labour_inspection")).await;
        for (reader, before) in readers.iter().zip(&before) {
            let after = counted.page_statements(reader, &case);
            assert_eq!(after.len(), before.len(), "more rows, more statements for {:?}:\n{}", reader.role, after.join("\n"));
            assert!(after.len() <= MOST_STATEMENTS, "{} statements for {:?}:\n{}", after.len(), reader.role, after.join("\n"));
            let unquoted: Vec<String> = after.iter().map(|s| s.replace(['"', '`'], "")).collect();
            let case_rows = unquoted.iter().filter(|s| s.contains("cases.version")).count();
            assert_eq!(case_rows, 1, "the case is loaded once for {:?}:\n{}", reader.role, after.join("\n"));
            let office_trees = after.iter().filter(|s| s.starts_with("WITH RECURSIVE")).count();
            let expected = usize::from(reader.role == Role::UnionSupervisor);
            assert_eq!(office_trees, expected, "the office tree is read once for a supervisor:\n{}", after.join("\n"));
        }
    }
);
