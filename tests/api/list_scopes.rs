//! The case list of the scopes that are not one office (issue 19): a partner office's list is
//! read off `case_partner_offices` and a supervisor's off the newest cases of all offices. Both
//! must show exactly what the scope allows, newest first, page after page; and every list shows
//! each case as the case itself reads.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{urlencode, TestApp};
use crate::personas::{furniture_factory_case, Persona};
use crate::three_offices::refer;

/// Every item id of `GET path`, following `next_cursor` with pages of `limit`.
async fn all_ids(app: &TestApp, path: &str, token: &str, limit: usize) -> Vec<String> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{path}{separator}limit={limit}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.get(&url, Some(token)).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// Registers a case a minute after the previous one, so newest-first order is known.
async fn case_at_next_minute(app: &TestApp, mediator: &Persona) -> Value {
    app.state.clock.advance(chrono::Duration::minutes(1));
    app.register_case(mediator, &furniture_factory_case()).await
}

fn id(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

api_test!(
    async fn a_partner_lists_each_case_referred_to_it_once_newest_first_whatever_the_referrals_status(app) {
        let world = app.world().await;
        let mut cases = Vec::new();
        for _ in 0..5 {
            cases.push(case_at_next_minute(&app, &world.mediator).await);
        }
        // Cases 0, 2 and 3 go to the police (case 2 twice), case 1 to the judicial office;
        // case 4 to no one. The referral of case 3 is then cancelled: the police still see it.
        refer(&app, &world.mediator, &cases[0], &world.police, "locate_party").await;
        refer(&app, &world.mediator, &cases[2], &world.police, "locate_party").await;
        refer(&app, &world.mediator, &cases[2], &world.police, "keep_order").await;
        let cancelled = refer(&app, &world.mediator, &cases[3], &world.police, "locate_party").await;
        refer(&app, &world.mediator, &cases[1], &world.judicial, "duty_lawyer").await;
        let path = format!("/api/v1/referrals/{}/cancel", cancelled["id"].as_str().unwrap());
        let response = app.post_json(&path, Some(&world.mediator.token), &json!({"reason": "已自行解决"})).await;
        assert_eq!(response.status, 200, "{}", response.text());

        let police = &world.police_officer.token;
        for limit in [1, 2, 50] {
            assert_eq!(all_ids(&app, "/api/v1/cases", police, limit).await, [id(&cases[3]), id(&cases[2]), id(&cases[0])]);
        }
        let judicial = all_ids(&app, "/api/v1/cases", &world.judicial_officer.token, 1).await;
        assert_eq!(judicial, [id(&cases[1])]);
        assert!(all_ids(&app, "/api/v1/cases", &world.hr_officer.token, 1).await.is_empty());

        // The filters apply on top, and the list agrees with the case page case by case.
        assert_eq!(app.transition(&world.mediator, &cases[0], json!({"action": "accept"})).await.status, 200);
        assert_eq!(all_ids(&app, "/api/v1/cases?status=accepted", police, 1).await, [id(&cases[0])]);
        assert_eq!(all_ids(&app, "/api/v1/cases?status=intake", police, 1).await, [id(&cases[3]), id(&cases[2])]);
        for (n, case) in cases.iter().enumerate() {
            let status = app.get(&format!("/api/v1/cases/{}", id(case)), Some(police)).await.status;
            assert_eq!(status == 200, [0, 2, 3].contains(&n), "case {n}: page answered {status}");
        }
    }
);

api_test!(
    async fn a_supervisor_lists_every_case_of_the_offices_below_newest_first_and_nothing_else(app) {
        let world = app.world().await;
        let mut expected = Vec::new();
        for n in 0..6 {
            let by = if n % 3 == 0 { &world.supervisor } else { &world.mediator };
            expected.push(id(&case_at_next_minute(&app, by).await));
            case_at_next_minute(&app, &world.other_mediator).await;
        }
        expected.reverse();
        let token = &world.supervisor.token;
        for limit in [1, 4, 50] {
            assert_eq!(all_ids(&app, "/api/v1/cases", token, limit).await, expected);
        }
        let accepted: Vec<String> = expected.iter().step_by(2).cloned().collect();
        for case in &accepted {
            let case = json!({"id": case});
            assert_eq!(app.transition(&world.supervisor, &case, json!({"action": "accept"})).await.status, 200);
        }
        assert_eq!(all_ids(&app, "/api/v1/cases?status=accepted", token, 2).await, accepted);
        assert_eq!(all_ids(&app, "/api/v1/cases?status=accepted", &world.other_mediator.token, 2).await.len(), 0);
    }
);

api_test!(
    async fn the_backfill_rebuilds_what_partners_see_from_the_referrals(app) {
        let world = app.world().await;
        let first = case_at_next_minute(&app, &world.mediator).await;
        let second = case_at_next_minute(&app, &world.mediator).await;
        refer(&app, &world.mediator, &first, &world.police, "locate_party").await;
        refer(&app, &world.mediator, &second, &world.police, "locate_party").await;
        refer(&app, &world.mediator, &second, &world.judicial, "duty_lawyer").await;
        let police = &world.police_officer.token;
        let before = all_ids(&app, "/api/v1/cases", police, 1).await;
        assert_eq!(before, [id(&second), id(&first)]);

        // A loader that writes referrals by SQL leaves the visibility rows out; the backfill
        // adds them, and running it twice changes nothing.
        let added = app
            .state
            .db
            .run(|c| {
                use diesel::prelude::*;
                use mediation_tracker::schema::case_partner_offices;
                diesel::delete(case_partner_offices::table).execute(c)?;
                let first = mediation_tracker::referrals::backfill_partner_offices(c)?;
                let again = mediation_tracker::referrals::backfill_partner_offices(c)?;
                Ok((first, again))
            })
            .await
            .unwrap();
        assert_eq!(added, (3, 0));
        assert_eq!(all_ids(&app, "/api/v1/cases", police, 1).await, before);
        assert_eq!(all_ids(&app, "/api/v1/cases", &world.judicial_officer.token, 1).await, [id(&second)]);
    }
);

api_test!(
    async fn every_list_shows_a_case_exactly_as_the_case_itself_reads(app) {
        // The lists select only the columns a case's view shows (issue 19); whichever way a list
        // is read, each item must be the whole case as `GET /cases/{id}` answers it.
        let world = app.world().await;
        let case = case_at_next_minute(&app, &world.mediator).await;
        refer(&app, &world.mediator, &case, &world.police, "locate_party").await;
        let path = format!("/api/v1/cases/{}", id(&case));
        let by_name = format!("/api/v1/cases?q={}", urlencode("沙坪某家具"));
        for (who, list) in [
            (&world.mediator, "/api/v1/cases"),
            (&world.mediator, "/api/v1/cases?sort=priority"),
            (&world.mediator, by_name.as_str()),
            (&world.mediator, "/api/v1/cases?q=440524198001010013"),
            (&world.supervisor, "/api/v1/cases?status=intake"),
            (&world.police_officer, "/api/v1/cases"),
        ] {
            let read = app.get(&path, Some(&who.token)).await;
            assert_eq!(read.status, 200, "{}", read.text());
            let page = app.get(list, Some(&who.token)).await;
            assert_eq!(page.status, 200, "{list}: {}", page.text());
            let page = page.json();
            let listed = page["items"].as_array().unwrap().iter().find(|item| item["id"] == case["id"]);
            assert_eq!(listed, Some(&read.json()), "{list}");
        }
        // And as intake answered it from the whole stored case, field by field, but for what the
        // referral may have changed.
        let read = app.get(&path, Some(&world.mediator.token)).await.json();
        let fields = read.as_object().unwrap();
        assert!(fields.len() >= 20, "{read}");
        for (field, value) in fields {
            if !["updated_at", "version"].contains(&field.as_str()) {
                assert_eq!(value, &case[field], "{field}");
            }
        }
        assert_eq!(read["employer"]["contact_phone"], "138****5678");
    }
);
