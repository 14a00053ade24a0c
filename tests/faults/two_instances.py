#!/usr/bin/env python3
"""Two `bespoke serve` processes on one database, as a council runs Bespoke
behind a load balancer, with a slow mail server in between:

1. start-up refuses what cannot work: a second server on the same data
   directory, a different signing secret, an embedded search index;
2. work sent through both instances at once: every message reaches the mail
   server exactly once, a sign-in made on one works on the other, and the
   ledger verifies;
3. an instance killed while sending: its message is sent by the other once
   the lease runs out, and only once.

Needs aiosmtpd (pip install aiosmtpd).

    python3 tests/faults/two_instances.py
    FAULTS_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres python3 tests/faults/two_instances.py
"""

import os
import re
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller

from harness import BINARY, Database, Server, call, fail, free_port, iso, must, people_and_plan, say

LEASE_SECONDS = 15
SECRET = "two instances share this signing secret, 48 chars"


class SlowSink:
    """A mail server that takes a moment over each message and remembers
    each one by its Message-ID. Told to, it stalls the next sender at MAIL
    FROM, before any of the message has been given."""

    def __init__(self):
        self.received = []
        self.stall_next = False
        self.stalled_at = None
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        import asyncio
        with self.lock:
            stall, self.stall_next = self.stall_next, False
        if stall:
            self.stalled_at = time.time()
            await asyncio.sleep(30)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio
        await asyncio.sleep(0.2)
        text = envelope.content.decode(errors="replace")
        found = re.search(r"Message-ID:\s*<mail-(\d+)@bespoke>", text, re.IGNORECASE)
        with self.lock:
            self.received.append((int(found.group(1)) if found else None, time.time()))
        return "250 OK"

    def counts(self):
        with self.lock:
            tally = {}
            for mail_id, _ in self.received:
                tally[mail_id] = tally.get(mail_id, 0) + 1
            return tally



def expect_refusal(database, extra, words, what):
    """`bespoke serve` must stop at start-up, saying `words`."""
    env = database.env({"BESPOKE_BIND": f"127.0.0.1:{free_port()}", **extra})
    try:
        done = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail(f"{what}: the second instance started instead of refusing")
    said = done.stdout + done.stderr
    if done.returncode == 0 or words not in said:
        fail(f"{what}: expected a refusal naming {words!r}, got exit {done.returncode}: {said[-400:]}")
    say(f"refused as it should: {what}")


def wait_until_sent(database, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if int(database.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")) == 0:
            return
        time.sleep(0.5)
    fail("messages were still unsent after two minutes")


def main():
    sink = SlowSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    database = Database("instances")
    shared = {
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "BESPOKE_JWT_SECRET": SECRET,
        "BESPOKE_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        # No Meilisearch here: the test lets the two embedded indexes share the
        # database, which a real deployment is refused (checked below).
        "BESPOKE_TEST_SHARED_EMBEDDED_INDEX": "1",
    }
    second_dir = tempfile.mkdtemp(prefix="bespoke-instances-b-")
    a = Server(database, extra=shared).start()
    b = Server(database, extra={**shared, "BESPOKE_DATA_DIR": second_dir})
    try:
        expect_refusal(database, shared, "is using the data directory", "a second server on A's data directory")
        other_dir = {"BESPOKE_DATA_DIR": tempfile.mkdtemp(prefix="bespoke-instances-c-")}
        expect_refusal(database, {**shared, **other_dir, "BESPOKE_JWT_SECRET": SECRET.upper()},
                       "BESPOKE_JWT_SECRET", "a different signing secret")
        no_flag = {k: v for k, v in shared.items() if k != "BESPOKE_TEST_SHARED_EMBEDDED_INDEX"}
        expect_refusal(database, {**no_flag, **other_dir}, "MEILI_URL", "an embedded index on a shared database")
        b.start()
        say(f"{database.kind}: two instances running on one database, SMTP answering in 0.2 s a message")

        setup = people_and_plan(a, budget="5000.00")
        status, me = call(b.base, "GET", "/me", token=setup["holder_token"])
        if status != 200:
            fail(f"a sign-in made on instance A was refused by instance B: {status} {me}")
        say("a sign-in made on A works on B")

        servers = [a.base, b.base]

        def commission(i):
            return must(servers[i % 2], "POST", f"/plans/{setup['plan']}/commissions", {
                "listing_id": setup["listing"], "portion": "direct_payment", "quantity": "2", "per": "week",
                "start_date": iso(1), "end_date": iso(14),
            }, setup["holder_token"])["id"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(commission, range(16)))
            list(pool.map(lambda pair: must(servers[(pair[0] + 1) % 2], "POST", f"/commissions/{pair[1]}/accept",
                                            {}, setup["seller_token"]), enumerate(ids)))
        wait_until_sent(database)
        time.sleep(2)  # a duplicate would arrive now
        written = int(database.scalar("SELECT COUNT(*) FROM mail_outbox"))
        tally = sink.counts()
        twice = {k: v for k, v in tally.items() if v != 1}
        say(f"{written} messages written through both instances; {len(tally)} distinct reached the mail server")
        if twice or len(tally) != written or None in tally:
            fail(f"each message exactly once expected; sent more than once: {twice}")
        verified = database.run("ledger", "verify")
        if verified.returncode != 0:
            fail(f"ledger verify failed: {verified.stdout}{verified.stderr}")
        say("every message exactly once; ledger verified")

        # An instance dies while its message is with the mail server.
        b.stop()
        sink.stall_next = True
        commission(0)  # through A: the seller is told
        deadline = time.time() + 30
        while sink.stalled_at is None and time.time() < deadline:
            time.sleep(0.1)
        if sink.stalled_at is None:
            fail("instance A never started sending")
        b.start()
        a.kill()
        say("instance A killed while sending; B is running")
        stalled_id = int(database.scalar("SELECT MAX(id) FROM mail_outbox"))
        wait_until_sent(database, timeout=LEASE_SECONDS * 4)
        time.sleep(2)
        tally = sink.counts()
        delivered = [at for mail_id, at in sink.received if mail_id == stalled_id]
        if tally.get(stalled_id) != 1:
            fail(f"message {stalled_id} expected once after the lease ran out, got {tally.get(stalled_id)}")
        waited = delivered[0] - sink.stalled_at
        if waited < LEASE_SECONDS - 1:
            fail(f"instance B sent message {stalled_id} {waited:.1f} s after A took it, before its lease ran out")
        if any(v != 1 for v in tally.values()):
            fail(f"a message went twice: {tally}")
        say(f"B sent A's message {waited:.1f} s after A took it (lease {LEASE_SECONDS} s), exactly once")
        say("PASSED: two instances share the work and every message goes once")
    finally:
        for server in (a, b):
            if server.process and server.process.poll() is None:
                server.stop()
        controller.stop()
        database.drop()


if __name__ == "__main__":
    main()
