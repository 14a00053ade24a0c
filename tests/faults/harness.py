"""What the fault scripts share: a real Bespoke server process they can
kill and restart, a fresh database (SQLite, or PostgreSQL when
FAULTS_POSTGRES_URL names a server), the JSON API, and direct reads of the
database to check what was kept."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("BESPOKE_BIN", os.path.join(TARGET_DIR, "debug", "bespoke"))
COUNCIL = "E08000003"


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fail(message):
    say(f"FAILED: {message}")
    sys.exit(1)


class Database:
    """A fresh SQLite file in a temporary directory, or a fresh PostgreSQL
    database on the server FAULTS_POSTGRES_URL names, dropped at the end."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"bespoke-{name}-")
        server = os.environ.get("FAULTS_POSTGRES_URL")
        if server:
            self.pg_server = server.rstrip("/")
            self.pg_name = f"bespoke_fault_{name}_{os.getpid()}"
            self.psql(f"DROP DATABASE IF EXISTS {self.pg_name}", admin=True)
            self.psql(f"CREATE DATABASE {self.pg_name}", admin=True)
            base = self.pg_server.rsplit("/", 1)[0]
            self.url = f"{base}/{self.pg_name}"
        else:
            self.pg_server = None
            self.url = "sqlite://" + os.path.join(self.dir, "bespoke.sqlite3")

    @property
    def kind(self):
        return "PostgreSQL" if self.pg_server else "SQLite"

    def psql(self, sql, admin=False):
        url = self.pg_server if admin else self.url
        out = subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True, text=True)
        return out.stdout

    def scalar(self, sql):
        """The single value a query returns."""
        if self.pg_server:
            return self.psql(sql).strip()
        with sqlite3.connect(self.url.removeprefix("sqlite://")) as conn:
            (value,) = conn.execute(sql).fetchone()
            return str(value)

    def env(self, extra=None):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.url,
            "BESPOKE_DATA_DIR": self.dir,
            "BESPOKE_DEMO": "0",
            "RUST_LOG": "warn",
        })
        env.pop("MEILI_URL", None)
        env.update(extra or {})
        return env

    def drop(self):
        if self.pg_server:
            self.psql(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)", admin=True)

    def run(self, *args, stdin=None, extra=None):
        """Runs a `bespoke` command on this database."""
        return subprocess.run([BINARY, *args], input=stdin, env=self.env(extra), capture_output=True, text=True)


def free_port():
    """A port nothing listens on now, so that scripts can run side by side."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One `bespoke serve` process on a database, on a free port unless told one."""

    def __init__(self, database, port=None, extra=None):
        self.database, self.port, self.extra = database, port or free_port(), extra or {}
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, wait=True):
        env = self.database.env({"BESPOKE_BIND": f"127.0.0.1:{self.port}", **self.extra})
        log = open(os.path.join(self.database.dir, "server.log"), "a")
        self.process = subprocess.Popen([BINARY, "serve"], env=env, stdout=log, stderr=log)
        if wait:
            self.wait_until_healthy()
        return self

    def wait_until_healthy(self, timeout=120, status=200):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                fail(f"the server exited with {self.process.returncode}; see {self.database.dir}/server.log")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as reply:
                    if reply.status == status:
                        return
            except urllib.error.HTTPError as error:
                if error.code == status:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fail(f"the server did not answer /healthz with {status} within {timeout} s")

    def kill(self):
        """SIGKILL: no chance to flush, close or say goodbye."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def call(base, method, path, body=None, token=None, timeout=30):
    """One API call: (status, parsed JSON or None). Never raises on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            text = reply.read()
            return reply.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"raw": text.decode(errors="replace")}


def must(base, method, path, body=None, token=None):
    status, reply = call(base, method, path, body, token)
    if status >= 300:
        fail(f"{method} {path} answered {status}: {reply}")
    return reply


def iso(days_from_today):
    return (date.today() + timedelta(days=days_from_today)).isoformat()


def people_and_plan(server, budget, listing_price="15.00", seller_role="personal_assistant"):
    """A commissioner, a holder with an approved plan of `budget` pounds held
    as a direct payment, and a seller with a published listing."""
    run = f"{os.getpid()}{int(time.time() * 1000)}"
    password = f"fault script password {run}"
    created = server.database.run(
        "admin", "create-account", "--role", "commissioner", "--email", f"officer-{run}@council.example",
        "--name", "Fault officer", "--council", COUNCIL, stdin=password + "\n",
    )
    if created.returncode != 0:
        fail(f"could not create the commissioner: {created.stderr}")
    base = server.base
    holder = must(base, "POST", "/accounts", {
        "email": f"holder-{run}@example.org", "password": password, "name": "Fault holder",
        "role": "budget_holder", "council": COUNCIL,
    })
    must(base, "POST", "/accounts", {
        "email": f"seller-{run}@example.org", "password": password, "name": "Fault seller", "role": seller_role,
    })
    token = lambda who: must(base, "POST", "/sessions", {"email": who, "password": password})["token"]
    officer = token(f"officer-{run}@council.example")
    holder_token = token(f"holder-{run}@example.org")
    seller_token = token(f"seller-{run}@example.org")
    listing = must(base, "POST", "/listings", {
        "title": "Fault personal assistant", "description": "For the fault scripts.",
        "category": "personal_assistant", "price": {"amount": listing_price, "unit": "hour"},
        "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_day"],
    }, seller_token)
    plan = must(base, "POST", "/plans", {
        "holder_id": holder["id"], "period_start": iso(0), "period_end": iso(364), "budget": budget,
        "portions": [{"mode": "direct_payment", "amount": budget}],
    }, officer)
    must(base, "PATCH", f"/plans/{plan['id']}", {"outcomes": [{"title": "Fault testing", "domain": "daily_living"}]}, holder_token)
    must(base, "POST", f"/plans/{plan['id']}/submit", {}, holder_token)
    must(base, "POST", f"/plans/{plan['id']}/approve", {}, officer)
    return {
        "holder_token": holder_token, "seller_token": seller_token, "officer_token": officer,
        "plan": plan["id"], "listing": listing["id"], "seller_email": f"seller-{run}@example.org",
    }
