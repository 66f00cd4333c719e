//! The papers a mediation office issues from a case (docs/papers.md): notices of acceptance and
//! non-acceptance, the mediation agreement, the certificate that mediation ended, the joint
//! application for judicial confirmation, the payment-order application and the letter asking a
//! partner office for assistance — each an A4 PDF typeset in-process (or its HTML twin), with a
//! serial number printed on it and recorded, with the SHA-256 of the bytes, on the timeline.
//!
//! `rules` decides which papers a case allows; `content*` writes their words; `layout` breaks
//! them into pages; `pdf` and `html` put them on paper; `use_cases` ties it to the case.

pub mod content;
pub mod content_agreement;
pub mod handlers;
pub mod html;
pub mod layout;
pub mod pdf;
pub mod rules;
pub mod use_cases;

crate::text_enum! {
    /// A kind of paper (`GET /cases/{id}/papers/{kind}`).
    pub enum PaperKind {
        AcceptanceNotice = "acceptance_notice",
        NonAcceptanceNotice = "non_acceptance_notice",
        MediationAgreement = "mediation_agreement",
        TerminationCertificate = "termination_certificate",
        JudicialConfirmationApplication = "judicial_confirmation_application",
        PaymentOrderApplication = "payment_order_application",
        AssistanceLetter = "assistance_letter",
    }
}
