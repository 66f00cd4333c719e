//! The office form of the admin's pages, create and edit: its words, its fields drawn from what
//! was typed (or from the office as it is), and what it sends read into the input of
//! `offices::use_cases::create` and `edit`, which check everything.

use super::admin_kit::{Checkbox, Choice, Field, Problems, Select};
use super::words::office_kind_words;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::offices::use_cases::{CreateOffice, UpdateOffice};
use crate::offices::{OfficeKind, OfficeView};
use crate::pages::forms::Values;
use crate::pages::layout::texts;

texts! {
    /// The words of the offices' pages.
    OfficesTexts {
        title = "console.offices.title",
        name = "console.offices.name",
        code = "console.offices.code",
        code_hint = "console.offices.code_hint",
        kind = "console.offices.kind",
        parent = "console.offices.parent",
        no_parent = "console.offices.no_parent",
        email = "console.offices.email",
        time_zone = "console.offices.time_zone",
        time_zone_hint = "console.offices.time_zone_hint",
        accepts_online = "console.offices.accepts_online",
        address = "console.offices.address",
        phone = "console.offices.phone",
        area = "console.offices.area",
        online = "console.offices.online",
        yes = "console.offices.yes",
        no = "console.offices.no",
        clients = "console.offices.clients",
        create_section = "console.offices.create_section",
        create = "console.offices.create",
        choose = "console.offices.choose",
        empty = "console.offices.empty",
        next = "console.offices.next",
        save = "console.offices.save",
        back = "console.offices.back",
        read_only = "console.offices.read_only",
    }
}

/// The fields of the office form, for [`Problems::of`].
pub(super) const FORM_FIELDS: &[&str] = &[
    "name",
    "code",
    "kind",
    "parent_id",
    "email",
    "time_zone",
    "accepts_online",
    "address",
    "phone",
    "area",
];

/// The office form, create or edit: the kind is chosen once, when it is created.
pub(super) struct OfficeForm {
    pub names: Vec<Field>,
    pub kind: Option<Select>,
    pub parent: Select,
    pub contact: Vec<Field>,
    pub accepts_online: Checkbox,
}

pub(super) fn office_form(
    lang: Lang,
    t: &OfficesTexts,
    unions: &[OfficeView],
    values: &Values,
    problems: &Problems,
    with_kind: bool,
) -> OfficeForm {
    let p = "office";
    let field = |name, label: &String| Field::text(p, name, label, values, problems);
    let mut kinds = vec![Choice::new("", t.choose.clone(), values.get("kind"))];
    kinds.extend(OfficeKind::ALL.iter().map(|kind| {
        Choice::new(
            kind.as_str(),
            office_kind_words(*kind).render(lang),
            values.get("kind"),
        )
    }));
    let mut parents = vec![Choice::new(
        "",
        t.no_parent.clone(),
        values.get("parent_id"),
    )];
    parents.extend(
        unions
            .iter()
            .map(|u| Choice::new(&u.id, u.name.clone(), values.get("parent_id"))),
    );
    OfficeForm {
        names: vec![
            field("name", &t.name).required(),
            field("code", &t.code).required().hint(&t.code_hint),
        ],
        kind: with_kind.then(|| Select::new(p, "kind", &t.kind, kinds, problems)),
        parent: Select::new(p, "parent_id", &t.parent, parents, problems),
        contact: vec![
            field("email", &t.email).kind("email"),
            field("time_zone", &t.time_zone).hint(&t.time_zone_hint),
            field("address", &t.address),
            field("phone", &t.phone).kind("tel"),
            field("area", &t.area),
        ],
        accepts_online: Checkbox::new(p, "accepts_online", &t.accepts_online, values, problems),
    }
}

/// The create form as the use case's input. The kind is read here (a select sends one of the
/// codes); everything else is checked by `offices::use_cases::create`.
pub(super) fn create_input(values: &Values) -> Result<CreateOffice, AppError> {
    let kind = OfficeKind::parse(values.get("kind"))
        .ok_or_else(|| AppError::invalid("kind", msg!("field.required")))?;
    Ok(CreateOffice {
        name: values.get("name").to_owned(),
        code: values.get("code").to_owned(),
        kind,
        email: values.optional("email"),
        parent_id: values.optional("parent_id"),
        time_zone: values.optional("time_zone"),
        accepts_online: Some(values.checked("accepts_online")),
        address: values.optional("address"),
        phone: values.optional("phone"),
        area: values.optional("area"),
    })
}

/// An office as the values of its edit form.
pub(super) fn values_of(office: &OfficeView) -> Values {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let values = Values::default()
        .with("name", &office.name)
        .with("code", &office.code)
        .with("parent_id", &text(&office.parent_id))
        .with("email", &text(&office.email))
        .with("time_zone", &office.time_zone)
        .with("address", &text(&office.address))
        .with("phone", &text(&office.phone))
        .with("area", &text(&office.area));
    if office.accepts_online {
        values.with("accepts_online", "on")
    } else {
        values
    }
}

/// The edit form as the use case's input: every field as typed (`""` clears an optional one).
pub(super) fn update_input(values: &Values) -> UpdateOffice {
    let text = |name: &str| Some(values.get(name).to_owned());
    UpdateOffice {
        name: text("name"),
        code: text("code"),
        email: text("email"),
        parent_id: text("parent_id"),
        time_zone: values.optional("time_zone"),
        accepts_online: Some(values.checked("accepts_online")),
        address: text("address"),
        phone: text("phone"),
        area: text("area"),
    }
}
