"""Schemathesis against the OpenAPI document the server serves.

Starts `bespoke serve` on a fresh demo market (SQLite, or a new PostgreSQL
database when FAULTS_POSTGRES_URL names a server), then runs schemathesis once
without signing in and once signed in as each demo role: budget holder,
provider, support broker and commissioner. Every run checks that no answer is
a 5xx and that every answer conforms to the document (status, content type,
headers, body schema). Afterwards `bespoke ledger verify` must find the money
exact, whatever the generated requests did.

Random ids would mostly meet 404, so each role's run is given the ids that role
can see (its plans, listings, commissions, requests, offers, risks, services):
a path id is drawn from them three times in four, and a body's `plan_id` or
`listing_id` half the time. The rest stay random, so refusals are tried too.
The per-role configuration is written beside its report as schemathesis.toml.

Settings: SCHEMATHESIS_MAX_EXAMPLES (examples per operation, default 20),
SCHEMATHESIS_SEED (default fixed, so CI is repeatable; `random` for a new one
each run). Reports: target/schemathesis/<database>-<role>/junit.xml.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))
from harness import ROOT, TARGET_DIR, Database, Server, call, fail, iso, must, say  # noqa: E402

DEMO_PASSWORD = "demo-bespoke-2026"
ROLES = [
    ("anonymous", None),
    ("budget_holder", "amina.khan@example.org"),
    ("provider", "bookings@mossside-homecare.example.org"),
    ("broker", "advice@horizon-brokerage.example.org"),
    ("commissioner", "priya.shah@example.org"),
]
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])
# Signing out would end the session the rest of the run uses.
EXCLUDED = ["accounts_sign_out"]


# The paths whose `{id}` names each kind of id.
ID_PATHS = {
    "plan": r"^/api/v1/plans/\{id\}",
    "listing": r"^/api/v1/listings/\{id\}",
    "seller": r"^/api/v1/sellers/\{id\}",
    "commission": r"^/api/v1/commissions/\{id\}",
    "request": r"^/api/v1/requests/\{id\}",
    "offer": r"^/api/v1/offers/\{id\}",
    "risk": r"^/api/v1/council/risks/\{id\}",
    "service": r"^/openreferral/services/\{id\}",
}
# Body fields that name a plan or a listing.
ID_FIELDS = {"plan_id": "plan", "listing_id": "listing"}
PATH_ID_PROBABILITY = 0.75
BODY_ID_PROBABILITY = 0.5
MOST_IDS = 12


def rows_of(reply):
    """The rows of a list answer, whatever its envelope."""
    if isinstance(reply, list):
        return reply
    if isinstance(reply, dict):
        for key in ("items", "contents"):
            if isinstance(reply.get(key), list):
                return reply[key]
    return []


def listed(base, token, path):
    """The rows of an /api/v1 list the role may read; none when it may not."""
    status, reply = call(base, "GET", path, token=token)
    return rows_of(reply) if status == 200 else []


def distinct(values):
    return list(dict.fromkeys(values))[:MOST_IDS]


def open_referral_ids(base):
    """Open Referral service ids: the feed is public and outside /api/v1."""
    with urllib.request.urlopen(f"{base}/openreferral/services", timeout=30) as reply:
        return distinct(row["id"] for row in rows_of(json.load(reply)))


def sign_in(base, email):
    return must(base, "POST", "/sessions", {"email": email, "password": DEMO_PASSWORD})["token"]


def wait_for_search(base, timeout=60):
    """Until the running server has indexed the listings seeded beside it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, reply = call(base, "GET", "/search?per_page=12")
        if status == 200 and rows_of(reply):
            return
        time.sleep(0.5)
    fail("the seeded listings did not reach search")


def commission_something(base):
    """The demo market has no commissions: the holder buys twice from the
    provider, so both have commissions for the runs to read, act on and refuse."""
    holder = sign_in(base, dict(ROLES)["budget_holder"])
    provider = sign_in(base, dict(ROLES)["provider"])
    plan = next(row for row in rows_of(must(base, "GET", "/plans", token=holder)) if row["status"] == "approved")
    listing = rows_of(must(base, "GET", "/listings?owner=me", token=provider))[0]
    for weeks in (4, 8):
        must(base, "POST", f"/plans/{plan['id']}/commissions", {
            "listing_id": listing["id"], "portion": "direct_payment", "quantity": "2", "per": "week",
            "start_date": iso(14), "end_date": iso(14 + 7 * weeks),
        }, holder)


def known_ids(base, token):
    """The ids this role can see, by kind."""
    searched = listed(base, token, "/search?per_page=12")
    ids = {
        kind: distinct(row["id"] for row in listed(base, token, path))
        for kind, path in [("plan", "/plans"), ("commission", "/commissions"), ("request", "/requests"),
                           ("offer", "/offers"), ("risk", "/council/risks")]
    }
    ids["listing"] = distinct(row["id"] for row in listed(base, token, "/listings?owner=me") + searched)
    ids["seller"] = distinct(row["provider"]["id"] for row in searched)
    ids["service"] = open_referral_ids(base)
    return {kind: values for kind, values in ids.items() if values}


def toml_value(value):
    # JSON's strings, integers and arrays of them are also TOML's.
    return json.dumps(value)


def configuration(ids):
    """schemathesis.toml that draws ids from what the role can see."""
    lines = []
    for kind, values in ids.items():
        lines += [f"[dictionaries.{kind}]", f"values = {toml_value(values)}", ""]
    bound = {field: kind for field, kind in ID_FIELDS.items() if kind in ids}
    if bound:
        lines.append("[parameters]")
        for field, kind in bound.items():
            lines.append(f'"body.{field}" = {{ dictionary = "{kind}", probability = {BODY_ID_PROBABILITY} }}')
        lines.append("")
    for kind in ids:
        lines += [
            "[[operations]]",
            f"include-path-regex = '{ID_PATHS[kind]}'",
            f'parameters = {{ "path.id" = {{ dictionary = "{kind}", probability = {PATH_ID_PROBABILITY} }} }}',
            "",
        ]
    return "\n".join(lines)


def schemathesis():
    beside_python = os.path.join(os.path.dirname(sys.executable), "st")
    return beside_python if os.path.exists(beside_python) else "st"


def main():
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20")
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261123")
    database = Database("schemathesis")
    # The passwordless demo runs only on SQLite; on PostgreSQL the same demo
    # market is seeded with `bespoke seed-demo` into the running server's database.
    on_sqlite = database.kind == "SQLite"
    server = Server(database, extra={"BESPOKE_DEMO": "1"} if on_sqlite else {})
    failed = []
    try:
        server.start()
        if not on_sqlite:
            seeded = database.run("seed-demo")
            if seeded.returncode != 0:
                fail(f"could not seed the demo market: {seeded.stderr}")
            wait_for_search(server.base)
        commission_something(server.base)
        for role, email in ROLES:
            headers, token = [], None
            if email:
                token = sign_in(server.base, email)
                headers = ["-H", f"Authorization: Bearer {token}"]
            report_dir = os.path.join(TARGET_DIR, "schemathesis", f"{database.kind.lower()}-{role}")
            os.makedirs(report_dir, exist_ok=True)
            ids = known_ids(server.base, token)
            config_file = os.path.join(report_dir, "schemathesis.toml")
            with open(config_file, "w") as written:
                written.write(configuration(ids))
            say(f"ids as {role}: " + ", ".join(f"{len(values)} {kind}" for kind, values in ids.items()))
            command = [
                schemathesis(), "--config-file", config_file, "run", f"{server.base}/api/v1/openapi.json",
                *headers,
                "--checks", CHECKS,
                "--max-examples", examples,
                # One worker: with threads, CPython 3.11 before 3.11.8 can fail
                # inside ast.parse (cpython gh-106905), which the generator calls.
                "--workers", "1",
                "--no-color",
                "--report", "junit", "--report-dir", report_dir,
            ]
            for operation in EXCLUDED:
                command += ["--exclude-operation-id", operation]
            if seed != "random":
                command += ["--seed", seed]
            say(f"schemathesis on {database.kind} as {role}, {examples} examples an operation")
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            summary = result.stdout[result.stdout.rfind("SUMMARY"):] if "SUMMARY" in result.stdout else result.stdout[-3000:]
            print(summary, flush=True)
            if result.returncode != 0:
                print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", flush=True)
                failed.append(role)
        server.stop()
        verified = database.run("ledger", "verify")
        if verified.returncode != 0:
            fail(f"the ledger does not verify after the runs: {verified.stdout}{verified.stderr}")
        say(f"ledger verified: {verified.stdout.strip().splitlines()[-1] if verified.stdout.strip() else 'ok'}")
    finally:
        server.stop()
        database.drop()
    if failed:
        fail(f"schemathesis found problems as: {', '.join(failed)}")
    say(f"schemathesis passed on {database.kind} for every role")


if __name__ == "__main__":
    main()
