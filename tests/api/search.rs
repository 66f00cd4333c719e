//! `?q=` through the search index (issue 19): the cases found are exactly those whose search text
//! (case number, employer and party names, one per line) contains the query — the index only
//! picks candidates, `LIKE` decides.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{urlencode, TestApp};
use crate::personas::{furniture_factory_case, Persona};

fn with_employer(name: &str, worker: &str) -> Value {
    let mut body = furniture_factory_case();
    body["employer"]["name"] = json!(name);
    body["employer"]["credit_code"] = Value::Null;
    body["workers"] = json!([{"name": worker, "role": "claimant"}]);
    body
}

/// The ids `persona` finds for `q`, every page followed at `limit` a page, in the order served.
async fn find(app: &TestApp, persona: &Persona, q: &str, limit: usize) -> Vec<String> {
    let (mut ids, mut cursor) = (Vec::new(), None::<String>);
    for _ in 0..50 {
        let mut url = format!("/api/v1/cases?q={}&limit={limit}", urlencode(q));
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let response = app.get(&url, Some(&persona.token)).await;
        assert_eq!(response.status, 200, "{url}: {}", response.text());
        let page = response.json();
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("q={q} never ends");
}

fn id(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

api_test!(
    async fn search_finds_exactly_the_substrings_of_case_numbers_employers_and_parties(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let furniture = app.register_case(m, &with_employer("鹤山市沙坪家具有限厂", "张先生")).await;
        let electronics = app.register_case(m, &with_employer("鹤山市雅瑶电子有限厂", "李女士")).await;
        let percent = app.register_case(m, &with_employer("Foo_Bar 50% Ltd", "王五")).await;
        let repeats = app.register_case(m, &with_employer("ABCXBCD Trading", "赵六")).await;
        let (f, e, p, r) = (id(&furniture), id(&electronics), id(&percent), id(&repeats));

        // The middle of a name, and a name every case shares (newest first).
        assert_eq!(find(&app, m, "沙坪家具", 10).await, [f.as_str()]);
        assert_eq!(find(&app, m, "有限厂", 10).await, [e.as_str(), f.as_str()]);
        assert_eq!(find(&app, m, "鹤山市雅瑶电子有限厂", 10).await, [e.as_str()]);
        // Every trigram of "abcd" is in "abcxbcd", the string is not: LIKE rechecks.
        assert_eq!(find(&app, m, "bcxbc", 10).await, [r.as_str()]);
        assert!(find(&app, m, "abcd", 10).await.is_empty());
        assert!(find(&app, m, "有限厂沙坪", 10).await.is_empty());
        // A fragment of a case number.
        let number = electronics["case_number"].as_str().unwrap().to_lowercase();
        assert_eq!(find(&app, m, &number[1..], 10).await, [e.as_str()]);
        // Two characters: no trigram to look up, the office is filtered as before.
        assert_eq!(find(&app, m, "沙坪", 10).await, [f.as_str()]);
        assert_eq!(find(&app, m, "女士", 10).await, [e.as_str()]);
        // LIKE's wildcards typed by a user are literal, ASCII case is ignored.
        assert_eq!(find(&app, m, "50%", 10).await, [p.as_str()]);
        assert_eq!(find(&app, m, "O_B", 10).await, [p.as_str()]);
        assert!(find(&app, m, "c_b", 10).await.is_empty(), "`_` is not a wildcard");
        assert!(find(&app, m, "c%d", 10).await.is_empty(), "`%` is not a wildcard");
        assert!(find(&app, m, "0%l", 10).await.is_empty());
        // The end of one line and the start of the next are not one string.
        assert!(find(&app, m, "有限厂张先生", 10).await.is_empty());
        assert!(find(&app, m, "家具有限厂张", 10).await.is_empty());

        // A party added later is found by its name, in the same case only.
        let added = app
            .post_json(&format!("/api/v1/cases/{f}/parties"), Some(&m.token), &json!({"kind": "worker", "name": "欧阳修远"}))
            .await;
        assert_eq!(added.status, 201, "{}", added.text());
        assert_eq!(find(&app, m, "阳修远", 10).await, [f.as_str()]);
        assert_eq!(find(&app, m, "欧阳修远", 10).await, [f.as_str()]);
        assert!(find(&app, m, "张先生欧阳", 10).await.is_empty());
        assert_eq!(find(&app, m, "张先生", 10).await, [f.as_str()], "the earlier names stay found");
    }
);

api_test!(
    async fn another_offices_case_is_never_found_and_a_supervisor_finds_those_below_them(app) {
        let world = app.world().await;
        let mine = app.register_case(&world.mediator, &with_employer("鹤山市沙坪家具有限厂", "张先生")).await;
        let theirs = app.register_case(&world.other_mediator, &with_employer("鹤山市沙坪家具有限厂", "张先生")).await;
        for q in ["沙坪家具", "鹤山市沙坪家具有限厂", "张先生", "沙坪"] {
            assert_eq!(find(&app, &world.mediator, q, 10).await, [id(&mine)], "{q}");
            assert_eq!(find(&app, &world.other_mediator, q, 10).await, [id(&theirs)], "{q}");
            // The county supervisor's scope is several offices: the global keys.
            assert_eq!(find(&app, &world.supervisor, q, 10).await, [id(&mine)], "{q}");
        }
    }
);

api_test!(
    async fn many_matches_page_through_newest_first_without_gaps_or_repeats(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut registered = Vec::new();
        for n in 0..7 {
            let case = app.register_case(m, &with_employer(&format!("鹤山市古劳五金制品厂{n}号"), "陈工")).await;
            registered.push(id(&case));
        }
        app.register_case(m, &with_employer("鹤山市古劳制衣厂", "陈工")).await;
        registered.reverse();
        assert_eq!(find(&app, m, "五金制品", 3).await, registered);
        assert_eq!(find(&app, m, "古劳五金制品厂", 2).await, registered);
        assert_eq!(find(&app, m, "制品厂3号", 3).await, [registered[3].as_str()]);
    }
);

api_test!(
    async fn an_exact_id_number_still_finds_its_case_beside_the_text_matches(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut body = with_employer("鹤山市址山建材厂", "赵六");
        body["workers"] = json!([{"name": "赵六", "id_number": "440784198503150021", "role": "claimant"}]);
        let by_id = app.register_case(m, &body).await;
        // A case whose names happen to hold the digits: found by text, the other by its ID number.
        let by_text = app.register_case(m, &with_employer("鹤山市440784198503150021号厂", "钱七")).await;
        assert_eq!(find(&app, m, "440784198503150021", 10).await, [id(&by_text), id(&by_id)]);
        assert_eq!(find(&app, m, "4407841985", 10).await, [id(&by_text)], "part of an ID number is not a match");
    }
);

api_test!(
    async fn cases_without_search_keys_are_keyed_by_the_backfill_and_found_again(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let case = app.register_case(m, &with_employer("鹤山市龙口陶瓷有限厂", "孙先生")).await;
        assert_eq!(find(&app, m, "龙口陶瓷", 10).await, [id(&case)]);

        // As if the case had been written before the index existed (or copied in by SQL).
        app.state
            .db
            .run(|connection| {
                use diesel::RunQueryDsl;
                if connection.is_postgres() {
                    diesel::sql_query("DELETE FROM case_search").execute(connection)?;
                } else {
                    diesel::sql_query("DELETE FROM case_search WHERE rowid IN (SELECT doc FROM case_search_docs)").execute(connection)?;
                    diesel::sql_query("DELETE FROM case_search_docs").execute(connection)?;
                }
                Ok(())
            })
            .await
            .unwrap();
        assert!(find(&app, m, "龙口陶瓷", 10).await.is_empty(), "the search goes through the index");
        assert_eq!(find(&app, m, "龙口", 10).await, [id(&case)], "two characters scan as before");

        let keyed = app.state.db.run(|connection| Ok(mediation_tracker::cases::search_index::index_missing(connection)?)).await.unwrap();
        assert_eq!(keyed, 1);
        assert_eq!(find(&app, m, "龙口陶瓷", 10).await, [id(&case)]);
        let again = app.state.db.run(|connection| Ok(mediation_tracker::cases::search_index::index_missing(connection)?)).await.unwrap();
        assert_eq!(again, 0, "a no-op once done");
    }
);

api_test!(
    async fn a_query_held_by_more_cases_than_the_candidate_limit_lists_the_same_as_without_q(app) {
        let world = app.world().await;
        let m = &world.mediator;
        app.register_case(m, &with_employer("鹤山市宅梧食品有限厂", "吴先生")).await;
        // Copies by SQL, as the benchmark grows its data set, then keyed as at startup.
        let copies = mediation_tracker::cases::search_index::MAX_CANDIDATES + 20;
        let keyed = app
            .state
            .db
            .run(move |connection| {
                use diesel::RunQueryDsl;
                let columns = "office_id, status, category, channel, summary, assignee_id, claimed_amount_fen, \
                    agreed_amount_fen, recovered_amount_fen, workers_involved, collective, flags, received_at, \
                    mediation_deadline, deadline_passes_at, escalated_to, employer_name, employer_credit_code, \
                    employer_address, employer_contact_name, employer_contact_phone_cipher, \
                    employer_contact_phone_masked, search_text, events_count, events_head, created_at, updated_at, \
                    version, accepted_at, concluded_at";
                diesel::sql_query(format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies}) \
                     INSERT INTO cases (id, case_number, {columns}) \
                     SELECT id || '.' || CAST(i AS TEXT), case_number || '.' || CAST(i AS TEXT), {columns} FROM cases, n"
                ))
                .execute(connection)?;
                Ok(mediation_tracker::cases::search_index::index_missing(connection)?)
            })
            .await
            .unwrap();
        assert_eq!(keyed as i64, copies);
        let everything = {
            let (mut ids, mut cursor) = (Vec::new(), None::<String>);
            loop {
                let mut url = "/api/v1/cases?limit=100".to_owned();
                if let Some(cursor) = &cursor {
                    url.push_str(&format!("&cursor={cursor}"));
                }
                let page = app.get(&url, Some(&m.token)).await.json();
                ids.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => break ids,
                }
            }
        };
        assert_eq!(everything.len() as i64, copies + 1);
        assert_eq!(find(&app, m, "宅梧食品", 100).await, everything);
        assert_eq!(find(&app, m, "鹤山市", 100).await, everything);
        assert!(find(&app, m, "宅梧电子", 100).await.is_empty());
    }
);
