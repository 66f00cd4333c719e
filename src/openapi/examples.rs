//! Request examples, from the furniture-factory story (README, docs/cases.md): an admin creates
//! the county union and its mediator, who signs in, registers Mr Zhang's claim, accepts it,
//! notes a call and asks the police to find the factory's owner.
//!
//! Each example is one the API accepts, sent in this order by the right person:
//! `tests/api/contract.rs` posts every one. Ids in them (`office_id`) are placeholders for the
//! ids the API gave the offices created before; everything else is sent as written.

use serde_json::{json, Value};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::Modify;

use super::operations_mut;

/// The id placeholder in examples: an office the example story created before.
pub const PLACEHOLDER_ID: &str = "0192f3a1-7c4e-7d3a-9b1e-5f2a8c6d4e01";

/// The example request body of each operation that has one, by operation id, in story order.
pub fn request_examples() -> Vec<(&'static str, Value)> {
    vec![
        (
            "create_office",
            json!({"name": "鹤山市总工会", "code": "HS", "kind": "union",
                   "email": "hs@union.example.cn", "time_zone": "Asia/Shanghai"}),
        ),
        (
            "create_user",
            json!({"email": "li.ming@union.example.cn", "name": "李明", "role": "union_mediator",
                   "office_id": PLACEHOLDER_ID, "password": "heshan-mediation-2026"}),
        ),
        (
            "login",
            json!({"email": "li.ming@union.example.cn", "password": "heshan-mediation-2026"}),
        ),
        ("create_case", furniture_factory_case()),
        ("transition_case", json!({"action": "accept"})),
        (
            "add_note",
            json!({"body": "已电话联系张先生，确认欠薪3000元。Called Mr Zhang: 3,000 yuan owed."}),
        ),
        (
            "create_referral",
            json!({"office_id": PLACEHOLDER_ID, "kind": "locate_party",
                   "request": "家具厂企业主失联，请协助查找其下落。Please locate the factory's owner."}),
        ),
    ]
}

/// Mr Zhang, owed 3,000 yuan by a Heshan furniture factory that closed.
fn furniture_factory_case() -> Value {
    json!({
        "category": "wage_arrears",
        "channel": "hotline_12351",
        "summary": "家具厂关停，拖欠张先生工资3000元，企业主暂时无法联系。Furniture factory closed owing Mr Zhang 3,000 yuan; owner unreachable.",
        "claimed_amount_fen": 300000,
        "workers_involved": 1,
        "flags": ["migrant_worker"],
        "employer": {"name": "鹤山市沙坪某家具厂", "credit_code": "91350100M000100Y43",
                     "address": "鹤山市沙坪街道", "contact_name": "企业主",
                     "contact_phone": "13812345678"},
        "workers": [{"name": "张先生", "id_number": "440524198001010013",
                     "phone": "13900001111", "role": "claimant", "sms_consent": true}]
    })
}

/// Puts each example on its operation's JSON request body.
pub struct RequestExamples;

impl Modify for RequestExamples {
    fn modify(&self, openapi: &mut OpenApi) {
        let examples = request_examples();
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                let id = operation.operation_id.as_deref().unwrap_or("");
                let Some((_, example)) = examples.iter().find(|(op, _)| *op == id) else {
                    continue;
                };
                let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                    continue;
                };
                if let Some(RefOr::T(content)) = body.content.get_mut("application/json") {
                    content.example = Some(example.clone());
                }
            }
        }
    }
}
