"""The furniture-factory story, end to end across four offices, through the generated client only.

Issue 14, point 2: a client generated from the served document by a standard generator
(openapi-python-client) runs the story a partner office would build on: intake, referrals answered
by the police, HR and judicial offices, a joint session, the agreement, the payments, resolution
and the statistics. No HTTP is written by hand here: every request goes through
`mediation_tracker_client.api.*` with a `models.*` body, and every answer is read as the typed
model the document promises. If the document is wrong, this fails (or the generator already
refused it, see generate_client.sh).

The story (seed article 000, DOMAIN.md): a furniture factory in Shaping, Heshan, closed down and
its owner could not be reached; 40 workers were owed two months' wages. One of them, Mr Zhang,
phoned the 12351 hotline. The town union (SP) registered the dispute and referred it to the police
station (find the owner), the HR & social-security office (labour inspection of the wage arrears)
and the judicial office (a duty lawyer). The police brought the owner in; at a joint session the
owner signed an agreement to pay in two instalments; both were paid and the case was resolved.

usage: PYTHONPATH=target/contract-client python story.py BASE_URL DEMO_TABLE
  BASE_URL    the service's origin, e.g. http://127.0.0.1:18100
  DEMO_TABLE  the stdout of `mediation-tracker demo` (columns: email password role office)
exit: 0 when every step passed; 1 at the first failed step (the problem document is printed);
      2 on bad arguments or an unreadable demo table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx  # only for the client's timeout setting; requests go through the generated client
from mediation_tracker_client import AuthenticatedClient, Client
from mediation_tracker_client.api.agreements import (
    create_agreement,
    get_agreement,
    list_payments,
    record_payment,
)
from mediation_tracker_client.api.auth import login, me
from mediation_tracker_client.api.cases import (
    add_party,
    create_case,
    get_case,
    list_events,
    list_parties,
    transition_case,
    update_case,
    verify_events,
)
from mediation_tracker_client.api.offices import list_offices
from mediation_tracker_client.api.referrals import (
    accept_referral,
    complete_referral,
    create_referral,
    list_case_referrals,
    list_referrals,
)
from mediation_tracker_client.api.sessions import create_session, update_session
from mediation_tracker_client.api.statistics import get_stats
from mediation_tracker_client.errors import UnexpectedStatus
from mediation_tracker_client.models import (
    CaseAction,
    CaseStatus,
    Category,
    Channel,
    CompleteReferral,
    CreateAgreement,
    CreateCase,
    CreatePayment,
    CreateReferral,
    CreateSession,
    EmployerInput,
    Flag,
    LoginRequest,
    OfficeKind,
    PartyInput,
    PartyKind,
    Problem,
    ReferralKind,
    ReferralStatus,
    Role,
    SessionOutcome,
    SessionStatus,
    Stats,
    TermInputBody,
    TermState,
    TransitionRequest,
    UpdateCase,
    UpdateSession,
    WorkerInput,
    WorkerRole,
)
from mediation_tracker_client.types import UNSET, Response

# Asia/Shanghai, the demo offices' time zone (no daylight saving, so a fixed offset is exact).
# Due dates are local calendar dates; a term due "today" must be today in the office's zone.
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

WORKERS = 40
WAGES_FEN = 48_000_000  # two months' wages of 40 workers, 480,000 yuan
FIRST_INSTALMENT_FEN = 30_000_000
SECOND_INSTALMENT_FEN = WAGES_FEN - FIRST_INSTALMENT_FEN


# --- identifiers with valid check characters (the rules of src/domain/identifiers.rs) ----------


def resident_id(first17: str) -> str:
    """A GB 11643 resident ID number: 17 digits and the ISO 7064 MOD 11-2 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def credit_code(first17: str) -> str:
    """A GB 32100 unified social credit code: 17 characters and the check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + alphabet[(31 - total % 31) % 31]


# 440784 is Heshan's area code; 9 (registered by market regulation) 1 (enterprise) + area + org.
FACTORY_CREDIT_CODE = credit_code("91440784MA4W1JKP2")
ZHANG_ID = resident_id("44078419850312003")
LI_ID = resident_id("45092319900618121")


# --- checking answers ----------------------------------------------------------------------------


class StoryFailed(Exception):
    """A step did not get the answer the document and the story promise."""


def describe(response: Response[Any]) -> str:
    """What went wrong, from the answer: the problem document when one came back."""
    parsed = response.parsed
    if isinstance(parsed, Problem):
        lines = [f"  problem: {parsed.status} {parsed.code}: {parsed.title}: {parsed.detail}"]
        for error in parsed.errors or []:
            lines.append(f"    {error.field}: {error.message}")
        if parsed.request_id:
            lines.append(f"    request id {parsed.request_id}")
        return "\n".join(lines)
    body = response.content.decode(errors="replace")
    return f"  answer body: {body[:800]}"


def ok(response: Response[Any], status: HTTPStatus, what: str) -> Any:
    """The typed answer, when the status is the one expected and the body is not a problem."""
    if response.status_code != status:
        raise StoryFailed(
            f"{what}: expected HTTP {status.value}, got {response.status_code.value}\n"
            + describe(response)
        )
    if response.parsed is None or isinstance(response.parsed, Problem):
        raise StoryFailed(
            f"{what}: HTTP {status.value}, but the body is not the documented success schema\n"
            + describe(response)
        )
    return response.parsed


def refused(response: Response[Any], status: HTTPStatus, code: str, what: str) -> Problem:
    """The problem document, when the API refused with the status and code expected."""
    problem = response.parsed
    if response.status_code != status or not isinstance(problem, Problem) or problem.code != code:
        raise StoryFailed(
            f"{what}: expected a {status.value} {code} problem, got HTTP "
            f"{response.status_code.value}\n" + describe(response)
        )
    if response.headers.get("content-type", "").split(";")[0] != "application/problem+json":
        raise StoryFailed(f"{what}: a problem not served as application/problem+json")
    return problem


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StoryFailed(message)


def same(actual: Any, expected: Any, what: str) -> None:
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def etag_of(response: Response[Any], version: int, what: str) -> str:
    """The ETag header, which must be the resource's version in quotes (docs/cases.md)."""
    etag = response.headers.get("etag")
    same(etag, f'"{version}"', f"{what}: ETag")
    return etag


def location_of(response: Response[Any], expected: str, what: str) -> None:
    same(response.headers.get("location"), expected, f"{what}: Location")


def fen(amount: int) -> str:
    return f"¥{amount / 100:,.2f}"


class Steps:
    """Numbers and prints the steps, one line each, in plain language."""

    def __init__(self) -> None:
        self.number = 0
        self.current = "starting"

    def begin(self, what: str) -> None:
        self.number += 1
        self.current = what

    def done(self, line: str) -> None:
        print(f"{self.number:2d}. {line}", flush=True)


# --- the people ----------------------------------------------------------------------------------


def read_demo_table(path: Path) -> dict[str, str]:
    """email -> password, from `mediation-tracker demo`'s table (header lines are skipped)."""
    passwords = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 4 and "@" in fields[0] and fields[0] != "email":
            passwords[fields[0]] = fields[1]
    if not passwords:
        raise ValueError(f"no sign-ins in {path}: is it the output of `mediation-tracker demo`?")
    return passwords


def anonymous(base_url: str) -> Client:
    # raise_on_unexpected_status: a status the document does not list for the operation is a
    # contract failure, not something to paper over. English problem texts for the CI log.
    return Client(
        base_url=base_url,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(30.0),
        headers={"Accept-Language": "en"},
    )


def sign_in(base_url: str, passwords: dict[str, str], email: str) -> AuthenticatedClient:
    """Signs `email` in with its demo password; a client that sends its access token."""
    if email not in passwords:
        raise StoryFailed(f"{email} is not in the demo table")
    with anonymous(base_url) as client:
        answer = login.sync_detailed(
            client=client, body=LoginRequest(email=email, password=passwords[email])
        )
    tokens = ok(answer, HTTPStatus.OK, f"sign in as {email}")
    same(tokens.token_type, "Bearer", f"{email}'s token_type")
    check(tokens.expires_in > 0, f"{email}'s token expires_in is {tokens.expires_in}")
    return AuthenticatedClient(
        base_url=base_url,
        token=tokens.access_token,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(30.0),
        headers={"Accept-Language": "en"},
    )


def offices_by_code(client: AuthenticatedClient) -> dict[str, Any]:
    """Every office, by code, following next_cursor to the last page."""
    offices: dict[str, Any] = {}
    cursor = UNSET
    while True:
        page = ok(
            list_offices.sync_detailed(client=client, cursor=cursor), HTTPStatus.OK, "list offices"
        )
        for office in page.items:
            offices[office.code] = office
        if not page.next_cursor:
            return offices
        cursor = page.next_cursor


def figures(client: AuthenticatedClient) -> Stats:
    return ok(get_stats.sync_detailed(client=client), HTTPStatus.OK, "read the statistics")


def partner_referrals(stats: Stats) -> dict[str, int]:
    return {p.office_id: p.referrals for p in stats.partner_offices}


# --- the story -----------------------------------------------------------------------------------


def story(base_url: str, passwords: dict[str, str], steps: Steps) -> None:
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(SHANGHAI).date()

    steps.begin("the mediator signs in")
    li = sign_in(base_url, passwords, "mediator@demo.local")
    who = ok(me.sync_detailed(client=li), HTTPStatus.OK, "GET /me as the mediator")
    same(who.role, Role.UNION_MEDIATOR, "the mediator's role")
    check(who.office is not None and who.office.code == "SP", "the mediator is not in office SP")
    steps.done(f"The union mediator {who.name} signed in ({who.office.name}, SP).")

    steps.begin("the mediator finds the three partner offices")
    offices = offices_by_code(li)
    expected_kinds = {"SPPS": OfficeKind.POLICE, "SPRS": OfficeKind.HR, "SPSF": OfficeKind.JUDICIAL}
    for code, kind in expected_kinds.items():
        check(code in offices, f"no office {code} in GET /offices")
        same(offices[code].kind, kind, f"office {code}'s kind")
    police, hr, judicial = offices["SPPS"], offices["SPRS"], offices["SPSF"]
    steps.done(
        f"Found the partner offices: {police.name} (police), {hr.name} (HR), "
        f"{judicial.name} (judicial)."
    )

    # The figures before the story, so that the end can check what this one case adds whatever
    # else (the demo cases, an earlier run) is in the database.
    before = figures(li)

    steps.begin("intake")
    received_at = now - dt.timedelta(hours=3)
    intake = CreateCase(
        category=Category.WAGE_ARREARS,
        channel=Channel.HOTLINE_12351,
        summary=(
            "沙坪街道某家具厂因经营不善关停，拖欠40名职工两个月工资共计48万元，"
            "企业主暂时无法联系。职工张先生致电12351职工服务热线求助。"
        ),
        received_at=received_at,
        claimed_amount_fen=WAGES_FEN,
        workers_involved=WORKERS,
        flags=[Flag.MIGRANT_WORKER],
        employer=EmployerInput(
            name="鹤山市沙坪某家具有限公司",
            credit_code=FACTORY_CREDIT_CODE,
            address="鹤山市沙坪街道工业大道",
            contact_name="企业主何某",
            contact_phone="13812345678",
        ),
        workers=[
            WorkerInput(
                name="张先生", id_number=ZHANG_ID, phone="13926081234", role=WorkerRole.CLAIMANT
            ),
        ],
    )
    answer = create_case.sync_detailed(client=li, body=intake)
    case = ok(answer, HTTPStatus.CREATED, "POST /cases")
    location_of(answer, f"/api/v1/cases/{case.id}", "POST /cases")
    etag = etag_of(answer, 1, "POST /cases")
    same(case.status, CaseStatus.INTAKE, "the new case's status")
    same(case.version, 1, "the new case's version")
    check(case.case_number.startswith("SP-"), f"case number {case.case_number} is not SP's")
    same(case.workers_involved, WORKERS, "workers_involved")
    same(case.collective, True, "collective (40 workers ≥ 10)")
    same(case.claimed_amount_fen, WAGES_FEN, "claimed_amount_fen")
    same(case.employer.credit_code, FACTORY_CREDIT_CODE, "the employer's credit code")
    same(case.employer.contact_phone, "138****5678", "the employer's contact phone, masked")
    same(
        case.mediation_deadline,
        received_at.astimezone(SHANGHAI).date() + dt.timedelta(days=15),
        "mediation_deadline (15 days in Shanghai)",
    )
    same(case.overdue, False, "overdue")
    steps.done(
        f"The mediator registered case {case.case_number}: {WORKERS} workers owed "
        f"{fen(WAGES_FEN)}, collective, deadline {case.mediation_deadline}; status intake, "
        f"ETag {etag}."
    )

    steps.begin("a second worker joins as a party")
    answer = add_party.sync_detailed(
        case.id,
        client=li,
        body=PartyInput(kind=PartyKind.WORKER, name="李女士", id_number=LI_ID, phone="13702086688"),
    )
    party = ok(answer, HTTPStatus.CREATED, "POST /cases/{id}/parties")
    same(party.kind, PartyKind.WORKER, "the party's kind")
    same(party.id_number, LI_ID[:4] + "*" * 10 + LI_ID[-4:], "the party's ID number, masked")
    page = ok(list_parties.sync_detailed(case.id, client=li), HTTPStatus.OK, "list parties")
    names = [p.name for p in page.items]
    for name in ("张先生", "李女士", "鹤山市沙坪某家具有限公司"):
        check(name in names, f"{name} is not among the parties {names}")
    steps.done(f"Ms Li joined as a worker party; the case lists {len(names)} parties (IDs masked).")

    steps.begin("the mediator takes the case (PATCH with If-Match)")
    answer = update_case.sync_detailed(
        case.id, client=li, body=UpdateCase(assignee_id=who.id), if_match=etag
    )
    case = ok(answer, HTTPStatus.OK, "PATCH /cases/{id}")
    same(case.assignee_id, who.id, "assignee_id")
    etag = etag_of(answer, 2, "PATCH /cases/{id}")
    steps.done(f'The mediator took the case as its assignee (If-Match "1"); now ETag {etag}.')

    steps.begin("a stale If-Match is refused")
    answer = transition_case.sync_detailed(
        case.id, client=li, body=TransitionRequest(action=CaseAction.ACCEPT), if_match='"1"'
    )
    refused(answer, HTTPStatus.PRECONDITION_FAILED, "version_conflict", "accept with a stale ETag")
    steps.done('Accepting with the stale ETag "1" was refused: 412 version_conflict.')

    steps.begin("accept and start mediation")
    for action, status in (
        (CaseAction.ACCEPT, CaseStatus.ACCEPTED),
        (CaseAction.START, CaseStatus.IN_MEDIATION),
    ):
        answer = transition_case.sync_detailed(
            case.id, client=li, body=TransitionRequest(action=action), if_match=etag
        )
        case = ok(answer, HTTPStatus.OK, f"transition {action.value}")
        same(case.status, status, f"the status after {action.value}")
        etag = etag_of(answer, case.version, f"transition {action.value}")
    steps.done(f"The mediator accepted the case and started mediation: in_mediation, ETag {etag}.")

    steps.begin("referrals to the three offices")
    asks = [
        (
            police,
            ReferralKind.LOCATE_PARTY,
            "家具厂已关停，企业主失联，请派出所协助查找企业主并带至服务站参加调解。",
        ),
        (
            hr,
            ReferralKind.LABOUR_INSPECTION,
            "请人社所核查40名职工的工资台账与欠薪金额，并约谈企业主。",
        ),
        (judicial, ReferralKind.DUTY_LAWYER, "请司法所值班律师到场，为职工提供依法维权指导。"),
    ]
    referrals = {}
    for office, kind, request in asks:
        answer = create_referral.sync_detailed(
            case.id, client=li, body=CreateReferral(office_id=office.id, kind=kind, request=request)
        )
        referral = ok(answer, HTTPStatus.CREATED, f"refer to {office.code}")
        location_of(answer, f"/api/v1/referrals/{referral.id}", f"refer to {office.code}")
        same(referral.status, ReferralStatus.PENDING, f"the {office.code} referral's status")
        same(referral.office.id, office.id, f"the {office.code} referral's office")
        same(referral.case_number, case.case_number, f"the {office.code} referral's case number")
        check(referral.due_at > now, f"the {office.code} referral is due in the past")
        referrals[office.code] = referral
    steps.done(
        "The mediator referred the case: police locate_party, HR labour_inspection, "
        "judicial duty_lawyer (all pending)."
    )

    def partner_answers(email: str, office: Any, outcome: str, result: str) -> str:
        """One partner office signs in, finds the referral in its inbox, accepts, completes."""
        officer = sign_in(base_url, passwords, email)
        inbox = ok(
            list_referrals.sync_detailed(client=officer, status=ReferralStatus.PENDING),
            HTTPStatus.OK,
            f"{email}'s inbox",
        )
        mine = [r for r in inbox.items if r.case_id == case.id]
        same(len(mine), 1, f"referrals of {case.case_number} in {email}'s pending inbox")
        same(mine[0].id, referrals[office.code].id, f"the referral in {email}'s inbox")
        check(
            all(r.office.id == office.id for r in inbox.items),
            f"{email}'s inbox holds another office's referral",
        )
        seen = ok(
            get_case.sync_detailed(case.id, client=officer),
            HTTPStatus.OK,
            f"{email} reads the referred case",
        )
        same(seen.case_number, case.case_number, f"the case {email} sees")
        own = ok(
            list_case_referrals.sync_detailed(case.id, client=officer),
            HTTPStatus.OK,
            f"{email} lists the case's referrals",
        )
        same(
            [r.office.id for r in own.items],
            [office.id],
            f"the case's referrals {email} may see (only its own office's)",
        )
        accepted = ok(
            accept_referral.sync_detailed(mine[0].id, client=officer),
            HTTPStatus.OK,
            f"{email} accepts",
        )
        same(accepted.status, ReferralStatus.ACCEPTED, "the referral after accept")
        completed = ok(
            complete_referral.sync_detailed(
                mine[0].id, client=officer, body=CompleteReferral(outcome=outcome, result=result)
            ),
            HTTPStatus.OK,
            f"{email} completes",
        )
        same(completed.status, ReferralStatus.COMPLETED, "the referral after complete")
        same(completed.outcome, outcome, "the referral's outcome")
        same(completed.result, result, "the referral's result")
        check(
            completed.accepted_at is not None and completed.completed_at is not None,
            "accepted_at and completed_at are set",
        )
        return (
            f"{office.name} saw the referral in its inbox, accepted it and completed it: {outcome}."
        )

    steps.begin("the police find the owner")
    steps.done(
        partner_answers(
            "police@demo.local",
            police,
            "party_located",
            "已找到企业主何某，并带至沙坪街道劳动关系一站式服务站参加调解。",
        )
    )

    steps.begin("a joint session with the three offices")
    answer = create_session.sync_detailed(
        case.id,
        client=li,
        body=CreateSession(
            scheduled_at=now + dt.timedelta(minutes=30),
            location="沙坪街道劳动关系一站式服务站",
            office_ids=[hr.id, police.id, judicial.id],
        ),
    )
    session = ok(answer, HTTPStatus.CREATED, "POST /cases/{id}/sessions")
    session_etag = etag_of(answer, session.version, "POST /cases/{id}/sessions")
    same(session.status, SessionStatus.SCHEDULED, "the session's status")
    same(
        sorted(o.id for o in session.offices),
        sorted([hr.id, police.id, judicial.id]),
        "the session's offices",
    )
    steps.done(
        f"The mediator scheduled a joint session with the three offices at {session.location}."
    )

    steps.begin("the HR office inspects the wages")
    steps.done(
        partner_answers(
            "hr@demo.local",
            hr,
            "employer_agreed_to_pay",
            "经核查工资台账，确认拖欠40名职工工资共48万元；企业主同意分两期支付。",
        )
    )

    steps.begin("the judicial office's duty lawyer advises")
    steps.done(
        partner_answers(
            "judicial@demo.local",
            judicial,
            "lawyer_attended",
            "值班律师到场为职工提供依法维权指导，并告知调解协议可申请司法确认。",
        )
    )

    steps.begin("the session is held (PATCH with If-Match)")
    answer = update_session.sync_detailed(
        session.id,
        client=li,
        body=UpdateSession(
            status=SessionStatus.HELD,
            minutes="三所联动调解：企业主确认欠薪48万元，同意当日支付30万元，余款7日内付清。",
            outcome=SessionOutcome.AGREEMENT,
        ),
        if_match=session_etag,
    )
    session = ok(answer, HTTPStatus.OK, "PATCH /sessions/{id}")
    same(session.status, SessionStatus.HELD, "the session's status")
    same(session.outcome, SessionOutcome.AGREEMENT, "the session's outcome")
    etag_of(answer, session.version, "PATCH /sessions/{id}")
    steps.done("The joint session was held and ended in agreement (minutes recorded).")

    steps.begin("the agreement")
    terms = [
        TermInputBody(
            description="支付拖欠工资（首期）",
            amount_fen=FIRST_INSTALMENT_FEN,
            payee="全体申请职工",
            due_date=today,
        ),
        TermInputBody(
            description="支付拖欠工资（余款）",
            amount_fen=SECOND_INSTALMENT_FEN,
            payee="全体申请职工",
            due_date=today + dt.timedelta(days=7),
        ),
    ]
    answer = create_agreement.sync_detailed(
        case.id, client=li, body=CreateAgreement(signed_at=now, terms=terms)
    )
    agreement = ok(answer, HTTPStatus.CREATED, "POST /cases/{id}/agreements")
    same(agreement.total_amount_fen, WAGES_FEN, "the agreement's total")
    same(agreement.paid_fen, 0, "paid so far")
    same([t.state for t in agreement.terms], [TermState.DUE, TermState.DUE], "the terms' states")
    same(agreement.follow_ups.fully_paid, False, "fully_paid")
    same(agreement.follow_ups.next_payment_due, today, "next_payment_due")
    same(agreement.follow_ups.judicial_confirmation_open, True, "judicial_confirmation_open")
    answer = get_case.sync_detailed(case.id, client=li)
    case = ok(answer, HTTPStatus.OK, "GET /cases/{id}")
    same(case.status, CaseStatus.AGREEMENT_REACHED, "the case's status after the agreement")
    same(case.agreed_amount_fen, WAGES_FEN, "agreed_amount_fen")
    etag = etag_of(answer, case.version, "GET /cases/{id}")
    steps.done(
        f"The agreement was recorded: {fen(FIRST_INSTALMENT_FEN)} today and "
        f"{fen(SECOND_INSTALMENT_FEN)} by {terms[1].due_date}; the case is agreement_reached; "
        f"judicial confirmation open until {agreement.follow_ups.judicial_confirmation_deadline}."
    )

    steps.begin("the first instalment is paid")
    answer = record_payment.sync_detailed(
        case.id,
        client=li,
        body=CreatePayment(
            amount_fen=FIRST_INSTALMENT_FEN, paid_at=now, note="企业主当场转账支付首期欠薪"
        ),
    )
    payment = ok(answer, HTTPStatus.CREATED, "POST /cases/{id}/payments")
    same(payment.amount_fen, FIRST_INSTALMENT_FEN, "the payment's amount")
    same(payment.recorded_by, who.id, "recorded_by")
    steps.done(f"The first instalment of {fen(FIRST_INSTALMENT_FEN)} was recorded as paid.")

    steps.begin("resolving is refused while the agreement is unpaid")
    case = ok(get_case.sync_detailed(case.id, client=li), HTTPStatus.OK, "GET /cases/{id}")
    same(case.recovered_amount_fen, FIRST_INSTALMENT_FEN, "recovered_amount_fen")
    answer = transition_case.sync_detailed(
        case.id,
        client=li,
        body=TransitionRequest(action=CaseAction.RESOLVE),
        if_match=f'"{case.version}"',
    )
    refused(answer, HTTPStatus.CONFLICT, "agreement_unpaid", "resolve with the agreement unpaid")
    steps.done(
        f"Resolving was refused with {fen(FIRST_INSTALMENT_FEN)} of {fen(WAGES_FEN)} paid: "
        "409 agreement_unpaid."
    )

    steps.begin("the rest is paid")
    answer = record_payment.sync_detailed(
        case.id,
        client=li,
        body=CreatePayment(
            amount_fen=SECOND_INSTALMENT_FEN,
            paid_at=dt.datetime.now(dt.UTC),
            note="企业主支付余款，欠薪全部追回",
        ),
    )
    ok(answer, HTTPStatus.CREATED, "POST /cases/{id}/payments")
    agreement = ok(
        get_agreement.sync_detailed(case.id, client=li), HTTPStatus.OK, "GET /cases/{id}/agreement"
    )
    same(agreement.paid_fen, WAGES_FEN, "paid_fen")
    same([t.state for t in agreement.terms], [TermState.PAID, TermState.PAID], "the terms' states")
    same(agreement.follow_ups.fully_paid, True, "fully_paid")
    check(
        not agreement.follow_ups.next_payment_due,
        f"next_payment_due is {agreement.follow_ups.next_payment_due!r} with every term paid",
    )
    payments = ok(list_payments.sync_detailed(case.id, client=li), HTTPStatus.OK, "list payments")
    same(sum(p.amount_fen for p in payments.items), WAGES_FEN, "the sum of the payments listed")
    steps.done(f"The remaining {fen(SECOND_INSTALMENT_FEN)} was paid: every term is paid.")

    steps.begin("the case is resolved")
    answer = get_case.sync_detailed(case.id, client=li)
    case = ok(answer, HTTPStatus.OK, "GET /cases/{id}")
    etag = etag_of(answer, case.version, "GET /cases/{id}")
    answer = transition_case.sync_detailed(
        case.id, client=li, body=TransitionRequest(action=CaseAction.RESOLVE), if_match=etag
    )
    case = ok(answer, HTTPStatus.OK, "resolve")
    same(case.status, CaseStatus.RESOLVED, "the status after resolve")
    same(case.recovered_amount_fen, WAGES_FEN, "recovered_amount_fen")
    same(case.agreed_amount_fen, WAGES_FEN, "agreed_amount_fen")
    etag = etag_of(answer, case.version, "resolve")
    closed = ok(
        list_case_referrals.sync_detailed(case.id, client=li),
        HTTPStatus.OK,
        "list the case's referrals",
    )
    same(
        sorted(r.status.value for r in closed.items),
        ["completed"] * 3,
        "the three referrals' statuses",
    )
    steps.done(
        f"The mediator resolved case {case.case_number}: {fen(WAGES_FEN)} recovered, ETag {etag}."
    )

    steps.begin("the timeline tells the story and its hash chain holds")
    kinds = []
    cursor = UNSET
    while True:
        page = ok(
            list_events.sync_detailed(case.id, client=li, cursor=cursor),
            HTTPStatus.OK,
            "list events",
        )
        kinds += [e.kind for e in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    for kind, count in (
        ("intake", 1),
        ("referral_created", 3),
        ("referral_completed", 3),
        ("session_scheduled", 1),
        ("agreement_signed", 1),
        ("payment_recorded", 2),
    ):
        same(kinds.count(kind), count, f"{kind} events on the timeline")
    chain = ok(verify_events.sync_detailed(case.id, client=li), HTTPStatus.OK, "verify the chain")
    same(chain.valid, True, "the timeline's hash chain")
    same(chain.events, len(kinds), "events checked in the chain")
    steps.done(f"The timeline has {len(kinds)} events and its hash chain verifies.")

    steps.begin("the statistics count the case")
    after = figures(li)
    for name, added in (
        ("cases_received", 1),
        ("cases_accepted", 1),
        ("cases_resolved", 1),
        ("collective_cases", 1),
        ("workers_involved", WORKERS),
        ("claimed_amount_fen", WAGES_FEN),
        ("agreed_amount_fen", WAGES_FEN),
        ("recovered_amount_fen", WAGES_FEN),
    ):
        same(getattr(after, name) - getattr(before, name), added, f"{name} added by the story")
    for field, key in (("by_category", "wage_arrears"), ("by_channel", "hotline_12351")):
        then = getattr(before, field).additional_properties.get(key, 0)
        now_count = getattr(after, field).additional_properties.get(key, 0)
        same(now_count - then, 1, f"{field}.{key} added by the story")
    check(after.success_rate is not None and after.success_rate > 0, "success_rate")
    old, new = partner_referrals(before), partner_referrals(after)
    for office in (police, hr, judicial):
        same(
            new.get(office.id, 0) - old.get(office.id, 0),
            1,
            f"referrals to {office.code} added in partner_offices",
        )
    steps.done(
        f"The statistics count it: {after.cases_resolved} resolved of {after.cases_received} "
        f"received, {fen(after.recovered_amount_fen)} recovered, one more referral for each "
        "partner office."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the service's origin, e.g. http://127.0.0.1:18100")
    parser.add_argument("demo_table", type=Path, help="the stdout of `mediation-tracker demo`")
    args = parser.parse_args()
    try:
        passwords = read_demo_table(args.demo_table)
    except (OSError, ValueError) as error:
        print(f"story: {error}", file=sys.stderr)
        return 2

    steps = Steps()
    print(f"The furniture-factory story against {args.base_url}, through the generated client:")
    try:
        story(args.base_url.rstrip("/"), passwords, steps)
    except StoryFailed as failure:
        print(f"FAILED at step {steps.number} ({steps.current}): {failure}", file=sys.stderr)
        return 1
    except UnexpectedStatus as error:
        # The document does not list this status for the operation: a contract failure.
        print(
            f"FAILED at step {steps.number} ({steps.current}): HTTP {error.status_code}, a status "
            f"the document does not list for this operation:\n  "
            f"{error.content.decode(errors='replace')[:800]}",
            file=sys.stderr,
        )
        return 1
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        # The generated model could not read an answer: the body does not match its schema.
        traceback.print_exc()
        print(
            f"FAILED at step {steps.number} ({steps.current}): an answer did not match the "
            f"document's schema ({type(error).__name__}: {error})",
            file=sys.stderr,
        )
        return 1
    except httpx.HTTPError as error:
        print(f"FAILED at step {steps.number} ({steps.current}): {error!r}", file=sys.stderr)
        return 1
    print(f"The story passed: {steps.number} steps.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
