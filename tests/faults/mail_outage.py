#!/usr/bin/env python3
"""SMTP unreachable: messages wait in the outbox while the server goes on
working, survive a SIGKILL of the server, and are delivered once the mail
server is back, each exactly once.

Needs aiosmtpd (pip install aiosmtpd) for the mail server that comes back.

    python3 tests/faults/mail_outage.py
    FAULTS_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres python3 tests/faults/mail_outage.py
"""

import time

from aiosmtpd.controller import Controller

from harness import Database, Server, fail, free_port, iso, must, people_and_plan, say


class Sink:
    """Keeps every message the mail server is given."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append((envelope.rcpt_tos, envelope.content.decode(errors="replace")))
        return "250 OK"



def main():
    smtp_port = free_port()
    database = Database("mail")
    # Nothing listens on smtp_port yet: the mail server is down.
    server = Server(database, extra={"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}).start()
    controller = None
    try:
        setup = people_and_plan(server, budget="3000.00")
        for _ in range(3):
            must(server.base, "POST", f"/plans/{setup['plan']}/commissions", {
                "listing_id": setup["listing"], "portion": "direct_payment", "quantity": "2", "per": "week",
                "start_date": iso(7), "end_date": iso(20),
            }, setup["holder_token"])
        written = int(database.scalar("SELECT COUNT(*) FROM mail_outbox"))
        if written < 3:
            fail(f"expected a message to the seller for each of 3 requests; {written} written")
        time.sleep(4)  # long enough for the first retries to fail
        waiting = int(database.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts >= 1"))
        error = database.scalar("SELECT MAX(last_error) FROM mail_outbox")
        say(f"{database.kind}: SMTP down: {written} messages written, {waiting} waiting after failed attempts ({error[:80]}…)")
        if waiting != written:
            fail("messages should all be waiting, each tried at least once")

        server.kill()
        say("server killed with SIGKILL while the messages waited; restarting")
        server.start()

        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        say(f"mail server back on port {smtp_port}")
        deadline = time.time() + 120
        while time.time() < deadline:
            unsent = int(database.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"))
            if unsent == 0:
                break
            time.sleep(1)
        else:
            fail(f"{unsent} messages were still unsent 120 s after the mail server came back")
        time.sleep(1)  # a duplicate would arrive now
        via = database.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_via = 'smtp'")
        to_seller = sum(1 for rcpt, _ in sink.received if setup["seller_email"] in rcpt)
        say(f"delivered: {len(sink.received)} messages reached the mail server ({to_seller} to the seller); "
            f"{via} marked sent by SMTP")
        if len(sink.received) != written or int(via) != written:
            fail(f"expected each of the {written} messages exactly once")
        if to_seller < 3:
            fail("the seller's three messages did not all arrive")
        say("PASSED: mail waited out the outage and a crash, then went exactly once")
    finally:
        if controller:
            controller.stop()
        server.stop()
        database.drop()


if __name__ == "__main__":
    main()
