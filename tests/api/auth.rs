//! Sign-in, tokens, sessions, lockout and machine clients.

use base64::Engine;
use serde_json::json;

use crate::api_test;
use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

api_test!(
    async fn the_bootstrapped_admin_signs_in_and_sees_itself(app) {
        let admin = app.admin().await;
        let me = app.get("/api/v1/me", Some(&admin.token)).await.json();
        assert_eq!(me["email"], ADMIN_EMAIL);
        assert_eq!(me["role"], "admin");
        assert_eq!(me["kind"], "user");
    }
);

api_test!(
    async fn a_wrong_password_and_an_unknown_email_get_the_same_401(app) {
        let wrong = app
            .post_json("/api/v1/auth/login", None, &json!({"email": ADMIN_EMAIL, "password": "not-the-password-at-all"}))
            .await;
        let unknown = app
            .post_json("/api/v1/auth/login", None, &json!({"email": "nobody@test.local", "password": "not-the-password-at-all"}))
            .await;
        let wrong = wrong.assert_problem(401, "unauthenticated");
        let unknown = unknown.assert_problem(401, "unauthenticated");
        assert_eq!(wrong["detail"], unknown["detail"]);
    }
);

api_test!(
    async fn the_sign_in_email_is_case_insensitive(app) {
        app.sign_in(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD).await;
    }
);

api_test!(
    async fn five_failures_lock_an_email_for_fifteen_minutes_whether_or_not_it_exists(app) {
        for email in [ADMIN_EMAIL, "ghost@test.local"] {
            let guess = json!({"email": email, "password": "wrong-password-guess"});
            for _ in 0..4 {
                app.post_json("/api/v1/auth/login", None, &guess).await.assert_problem(401, "unauthenticated");
            }
            let locked = app.post_json("/api/v1/auth/login", None, &guess).await;
            let problem = locked.assert_problem(429, "account_locked");
            assert!(problem["detail"].as_str().unwrap().contains("15"));
            assert!(locked.header("retry-after").is_some());
        }
        // While locked even the right password is refused; the answer is the same as for a ghost.
        let right = app.post_json("/api/v1/auth/login", None, &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
        right.assert_problem(429, "account_locked");
        app.state.clock.advance(chrono::Duration::minutes(16));
        app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    }
);

api_test!(
    async fn a_refresh_token_rotates_and_reusing_a_spent_one_revokes_the_session(app) {
        let admin = app.admin().await;
        let first = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": admin.refresh_token})).await;
        assert_eq!(first.status, 200, "{}", first.text());
        let pair = first.json();
        assert_ne!(pair["refresh_token"], admin.refresh_token.as_str());
        assert_eq!(pair["token_type"], "Bearer");
        assert_eq!(pair["expires_in"], 900);
        let new_access = pair["access_token"].as_str().unwrap();
        assert_eq!(app.get("/api/v1/me", Some(new_access)).await.status, 200);

        let reuse = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": admin.refresh_token})).await;
        reuse.assert_problem(401, "unauthenticated");
        // The whole session is gone: the newest tokens of it stop working too.
        app.get("/api/v1/me", Some(new_access)).await.assert_problem(401, "unauthenticated");
        let newest = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": pair["refresh_token"]})).await;
        newest.assert_problem(401, "unauthenticated");
        // Another sign-in is unaffected.
        app.admin().await;
    }
);

api_test!(
    async fn logout_stops_the_access_and_refresh_tokens_at_once(app) {
        let admin = app.admin().await;
        let other_session = app.admin().await;
        let response = app.send(app.request("POST", "/api/v1/auth/logout", Some(&admin.token)), None).await;
        assert_eq!(response.status, 204);
        app.get("/api/v1/me", Some(&admin.token)).await.assert_problem(401, "unauthenticated");
        app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": admin.refresh_token}))
            .await
            .assert_problem(401, "unauthenticated");
        assert_eq!(app.get("/api/v1/me", Some(&other_session.token)).await.status, 200);
    }
);

api_test!(
    async fn missing_malformed_forged_expired_and_unsigned_tokens_are_refused(app) {
        let admin = app.admin().await;
        let response = app.get("/api/v1/me", None).await;
        response.assert_problem(401, "unauthenticated");
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
        let basic = app.send(app.request("GET", "/api/v1/me", None).insert_header(("authorization", "Basic abc")), None).await;
        basic.assert_problem(401, "unauthenticated");
        app.get("/api/v1/me", Some("not.a.jwt")).await.assert_problem(401, "unauthenticated");

        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut parts: Vec<String> = admin.token.split('.').map(str::to_owned).collect();
        let mut claims: serde_json::Value = serde_json::from_slice(&engine.decode(&parts[1]).unwrap()).unwrap();
        claims["sub"] = json!("someone-else");
        parts[1] = engine.encode(serde_json::to_vec(&claims).unwrap());
        app.get("/api/v1/me", Some(&parts.join("."))).await.assert_problem(401, "unauthenticated");

        let unsigned = format!("{}.{}.", engine.encode(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
        app.get("/api/v1/me", Some(&unsigned)).await.assert_problem(401, "unauthenticated");

        app.state.clock.advance(chrono::Duration::minutes(16));
        app.get("/api/v1/me", Some(&admin.token)).await.assert_problem(401, "unauthenticated");
    }
);

api_test!(
    async fn a_token_signed_with_another_key_or_for_another_audience_is_refused(app) {
        let admin = app.admin().await;
        let me = app.get("/api/v1/me", Some(&admin.token)).await.json();
        let now = chrono::Utc::now().timestamp();
        let claims = |aud: &str| json!({"iss": "mediation-tracker", "aud": aud, "sub": me["id"], "exp": now + 600,
                                        "iat": now, "jti": "x", "sid": "x"});
        let sign = |claims: serde_json::Value, secret: &str| {
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())).unwrap()
        };
        let wrong_key = sign(claims("mediation-tracker-api"), "a-completely-different-secret-value");
        app.get("/api/v1/me", Some(&wrong_key)).await.assert_problem(401, "unauthenticated");
        let state_secret = app.state.jwt_secret.clone();
        let wrong_audience = sign(claims("another-service"), &state_secret);
        app.get("/api/v1/me", Some(&wrong_audience)).await.assert_problem(401, "unauthenticated");
    }
);

api_test!(
    async fn deactivating_a_user_ends_their_sessions_at_once(app) {
        let world = app.world().await;
        let path = format!("/api/v1/users/{}", world.mediator.id);
        let response = app.json_request("PATCH", &path, Some(&world.admin.token), &json!({"active": false})).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json()["active"], false);
        app.get("/api/v1/me", Some(&world.mediator.token)).await.assert_problem(401, "unauthenticated");
        let again = app
            .post_json("/api/v1/auth/login", None, &json!({"email": world.mediator.email, "password": world.mediator.password}))
            .await;
        again.assert_problem(401, "unauthenticated");
    }
);

api_test!(
    async fn reading_listing_and_registering_cases_refuse_an_ended_session_or_a_deactivated_user(app) {
        // These endpoints check the session inside their own database work (PendingCaller), not
        // in a separate step: the check must be just as strict.
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &crate::personas::furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let supervisor = world.supervisor.clone();
        let response = app.send(app.request("POST", "/api/v1/auth/logout", Some(&supervisor.token)), None).await;
        assert_eq!(response.status, 204);
        hot_paths_refuse(&app, &supervisor.token, id).await;

        let path = format!("/api/v1/users/{}", world.mediator.id);
        let response = app.json_request("PATCH", &path, Some(&world.admin.token), &json!({"active": false})).await;
        assert_eq!(response.status, 200, "{}", response.text());
        hot_paths_refuse(&app, &world.mediator.token, id).await;
    }
);

async fn hot_paths_refuse(app: &TestApp, token: &str, id: &str) {
    for path in [
        format!("/api/v1/cases/{id}"),
        "/api/v1/cases".into(),
        format!("/api/v1/cases/{id}/events"),
    ] {
        app.get(&path, Some(token))
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.post_json(
        "/api/v1/cases",
        Some(token),
        &crate::personas::furniture_factory_case(),
    )
    .await
    .assert_problem(401, "unauthenticated");
}

api_test!(
    async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(app) {
        let world = app.world().await;
        let me = &world.mediator;
        let elsewhere = app.sign_in(&me.email, &me.password).await;
        let wrong = app
            .json_request("PUT", "/api/v1/me/password", Some(&me.token),
                &json!({"current_password": "not-my-password-x", "new_password": "a-brand-new-passphrase"}))
            .await;
        assert_eq!(wrong.assert_problem(422, "validation_failed")["errors"][0]["field"], "current_password");
        let weak = app
            .json_request("PUT", "/api/v1/me/password", Some(&me.token),
                &json!({"current_password": me.password, "new_password": "password1234"}))
            .await;
        assert_eq!(weak.assert_problem(422, "validation_failed")["errors"][0]["field"], "new_password");
        let changed = app
            .json_request("PUT", "/api/v1/me/password", Some(&me.token),
                &json!({"current_password": me.password, "new_password": "a-brand-new-passphrase"}))
            .await;
        assert_eq!(changed.status, 204, "{}", changed.text());
        assert_eq!(app.get("/api/v1/me", Some(&me.token)).await.status, 200, "this session stays");
        app.get("/api/v1/me", Some(&elsewhere.token)).await.assert_problem(401, "unauthenticated");
        app.sign_in(&me.email, "a-brand-new-passphrase").await;
    }
);

api_test!(
    async fn stored_passwords_are_argon2id_hashes(app) {
        let world = app.world().await;
        let db = app.state.db.clone();
        let hashes: Vec<String> = db
            .run(|connection| {
                use diesel::prelude::*;
                use mediation_tracker::schema::users;
                Ok(users::table.select(users::password_hash).load(connection)?)
            })
            .await
            .unwrap();
        assert!(hashes.len() >= 8);
        for hash in hashes {
            assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
            assert!(!hash.contains(&world.mediator.password));
        }
    }
);

api_test!(
    async fn a_partner_offices_system_gets_a_token_with_client_credentials_until_revoked(app) {
        let world = app.world().await;
        let clients_path = format!("/api/v1/offices/{}/clients", world.police["id"].as_str().unwrap());
        let created = app.post_json(&clients_path, Some(&world.admin.token), &json!({"name": "派出所警务系统"})).await;
        assert_eq!(created.status, 201, "{}", created.text());
        let client = created.json();
        let (id, secret) = (client["client_id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());

        let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
        let by_form = app
            .send(app.request("POST", "/api/v1/auth/token", None).insert_header(("content-type", "application/x-www-form-urlencoded")), Some(form.into_bytes()))
            .await;
        assert_eq!(by_form.status, 200, "{}", by_form.text());
        let token = by_form.json()["access_token"].as_str().unwrap().to_owned();
        assert!(by_form.json().get("refresh_token").is_none());
        let me = app.get("/api/v1/me", Some(&token)).await.json();
        assert_eq!((me["kind"].as_str(), me["role"].as_str()), (Some("client"), Some("police_officer")));
        assert_eq!(me["office"]["id"], world.police["id"]);

        let by_json = app
            .post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}))
            .await;
        assert_eq!(by_json.status, 200);
        // RFC 6749 §3.2: unrecognised members are ignored, whatever they carry.
        let with_extension = app
            .post_json(
                "/api/v1/auth/token",
                None,
                &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "scope": ["a\u{93}b", null], "x\u{7}": 1}),
            )
            .await;
        assert_eq!(with_extension.status, 200, "{}", with_extension.text());
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        let by_basic = app
            .send(
                app.request("POST", "/api/v1/auth/token", None)
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .insert_header(("authorization", format!("Basic {basic}"))),
                Some(b"grant_type=client_credentials".to_vec()),
            )
            .await;
        assert_eq!(by_basic.status, 200, "{}", by_basic.text());

        let wrong = app
            .post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "guess"}))
            .await;
        wrong.assert_problem(401, "unauthenticated");
        let password_grant = app.post_json("/api/v1/auth/token", None, &json!({"grant_type": "password"})).await;
        password_grant.assert_problem(400, "unsupported_grant_type");

        let listed = app.get(&clients_path, Some(&world.admin.token)).await.json();
        assert_eq!(listed["items"][0]["client_id"], id);
        assert!(listed["items"][0].get("client_secret").is_none());

        let revoke = app.send(app.request("DELETE", &format!("{clients_path}/{id}"), Some(&world.admin.token)), None).await;
        assert_eq!(revoke.status, 204);
        app.get("/api/v1/me", Some(&token)).await.assert_problem(401, "unauthenticated");
        let after = app
            .post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}))
            .await;
        after.assert_problem(401, "unauthenticated");
    }
);

api_test!(
    async fn machine_clients_exist_only_for_partner_offices(app) {
        let world = app.world().await;
        let path = format!("/api/v1/offices/{}/clients", world.town_union["id"].as_str().unwrap());
        let response = app.post_json(&path, Some(&world.admin.token), &json!({"name": "x"})).await;
        response.assert_problem(422, "validation_failed");
    }
);
