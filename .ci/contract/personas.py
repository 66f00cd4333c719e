"""The demo personas for the schemathesis runs, through the generated client (no curl, no jq).

usage: PYTHONPATH=target/contract-client python personas.py token BASE_URL DEMO_TABLE EMAIL
         prints an access token for EMAIL (15 minutes: sign in right before each run)
       PYTHONPATH=target/contract-client python personas.py seed-partner BASE_URL DEMO_TABLE
         refers the open demo cases to the police station SPPS, so that the partner persona
         (police@demo.local) has cases and referrals to see: `demo` makes no referral
         (FINDINGS.md, "How it was run")
exit: 0 done; 1 the API refused (the problem is printed); 2 bad arguments or demo table.
"""

from __future__ import annotations

import argparse
import sys
from http import HTTPStatus
from pathlib import Path

from mediation_tracker_client.api.cases import list_cases
from mediation_tracker_client.api.referrals import create_referral
from mediation_tracker_client.errors import UnexpectedStatus
from mediation_tracker_client.models import CaseStatus, CreateReferral, ReferralKind
from mediation_tracker_client.types import UNSET

from story import StoryFailed, offices_by_code, ok, read_demo_table, sign_in


def token(base_url: str, passwords: dict[str, str], email: str) -> None:
    client = sign_in(base_url, passwords, email)
    print(client.token)


def seed_partner(base_url: str, passwords: dict[str, str]) -> None:
    mediator = sign_in(base_url, passwords, "mediator@demo.local")
    police = offices_by_code(mediator).get("SPPS")
    if police is None:
        raise StoryFailed("no office SPPS in GET /offices")
    referred = []
    # The demo's open cases in mediation or accepted, as in FINDINGS.md's first run. (The
    # story's own case is resolved by now, and a closed case takes no referral.)
    for status in (CaseStatus.IN_MEDIATION, CaseStatus.ACCEPTED):
        cursor = UNSET
        while True:
            page = ok(
                list_cases.sync_detailed(client=mediator, status=status, cursor=cursor),
                HTTPStatus.OK,
                f"list {status.value} cases",
            )
            for case in page.items:
                referral = ok(
                    create_referral.sync_detailed(
                        case.id,
                        client=mediator,
                        body=CreateReferral(
                            office_id=police.id,
                            kind=ReferralKind.LOCATE_PARTY,
                            request="企业主失联，请协助查找其下落。",
                        ),
                    ),
                    HTTPStatus.CREATED,
                    f"refer {case.case_number} to SPPS",
                )
                referred.append(f"{case.case_number} ({status.value}) -> {referral.id}")
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    if not referred:
        raise StoryFailed("no open demo case to refer to SPPS")
    print(f"referred {len(referred)} demo case(s) to {police.name} (SPPS):")
    for line in referred:
        print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sign = commands.add_parser("token", help="print an access token")
    sign.add_argument("base_url")
    sign.add_argument("demo_table", type=Path)
    sign.add_argument("email")
    seed = commands.add_parser("seed-partner", help="refer the open demo cases to SPPS")
    seed.add_argument("base_url")
    seed.add_argument("demo_table", type=Path)
    args = parser.parse_args()
    try:
        passwords = read_demo_table(args.demo_table)
    except (OSError, ValueError) as error:
        print(f"personas: {error}", file=sys.stderr)
        return 2
    base_url = args.base_url.rstrip("/")
    try:
        if args.command == "token":
            token(base_url, passwords, args.email)
        else:
            seed_partner(base_url, passwords)
    except StoryFailed as failure:
        print(f"personas {args.command}: {failure}", file=sys.stderr)
        return 1
    except UnexpectedStatus as error:
        print(
            f"personas {args.command}: undocumented HTTP {error.status_code}: "
            f"{error.content.decode(errors='replace')[:800]}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
