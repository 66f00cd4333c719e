//! The request bodies the benchmark sends and loads: intakes and online applications with
//! plausible Chinese names, employers and valid resident ID numbers, from a small deterministic
//! generator, so every run drives the same mix.

use serde_json::json;

/// A small deterministic generator (no extra crate for randomness in a benchmark).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(
            seed.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        )
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const PLACES: &[&str] = &[
    "沙坪", "雅瑶", "古劳", "龙口", "桃源", "共和", "址山", "鹤城", "宅梧", "双合",
];
const TRADES: &[&str] = &[
    "家具", "电子", "五金", "制衣", "物流", "建材", "食品", "塑料", "印刷", "陶瓷",
];
const SURNAMES: &[&str] = &["张", "李", "王", "陈", "刘", "黄", "周", "吴", "郑", "孙"];
const CATEGORIES: &[&str] = &[
    "wage_arrears",
    "overtime_pay",
    "compensation",
    "work_injury",
    "social_insurance",
    "labour_contract",
];
const CHANNELS: &[&str] = &[
    "walk_in",
    "hotline_12351",
    "online",
    "grid_worker",
    "court_referral",
];

/// An employer name for index `n`: 1,000 distinct names, so a name matches ~0.1% of cases.
pub fn employer(n: usize) -> String {
    format!(
        "鹤山市{}{}{}厂{}号",
        PLACES[n % 10],
        TRADES[(n / 10) % 10],
        ["有限", "实业", "制造"][(n / 100) % 3],
        n / 300
    )
}

/// The intake body used for loading and for the intake scenario (a worker and the employer).
pub fn intake_body(rng: &mut Rng) -> serde_json::Value {
    let e = rng.below(1000);
    json!({
        "category": CATEGORIES[rng.below(CATEGORIES.len())],
        "channel": CHANNELS[rng.below(CHANNELS.len())],
        "summary": "企业拖欠工资，职工申请调解。",
        "claimed_amount_fen": (rng.below(5000) as i64 + 1) * 10_000,
        "employer": {"name": employer(e), "contact_phone": "13812345678"},
        "workers": [{"name": format!("{}先生", SURNAMES[rng.below(10)]), "id_number": resident_id(rng), "phone": "13900001111"}]
    })
}

/// A worker's resident ID number, valid (GB 11643 check character) and random: with one number
/// for everybody, every intake's duplicate warning read all the cases of that one worker.
fn resident_id(rng: &mut Rng) -> String {
    const WEIGHTS: [usize; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!(
        "440784{}{:02}{:02}{:03}",
        1960 + rng.below(45),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    let sum: usize = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| usize::from(digit - b'0') * weight)
        .sum();
    format!("{body}{}", CHECK[sum % 11])
}

/// A worker's online application (`POST /public/applications`) to `office_code`, with the code
/// texted to `phone`: the same worker, employer and claim as [`intake_body`], as a worker types
/// them.
pub fn application_body(
    rng: &mut Rng,
    office_code: &str,
    phone: &str,
    code: &str,
) -> serde_json::Value {
    let e = rng.below(1000);
    json!({
        "office_code": office_code,
        "phone": phone,
        "verification_code": code,
        "name": format!("{}先生", SURNAMES[rng.below(10)]),
        "id_number": resident_id(rng),
        "category": CATEGORIES[rng.below(CATEGORIES.len())],
        "summary": "企业拖欠工资，职工申请调解。",
        "claimed_amount_fen": (rng.below(5000) as i64 + 1) * 10_000,
        "workers_involved": 1,
        "employer": {"name": employer(e)},
        "sms_consent": true
    })
}
