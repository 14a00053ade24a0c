#!/usr/bin/env python3
"""Kills the server with SIGKILL in the middle of a burst of commissions,
restarts it, and checks that every commission the server acknowledged
(201) is still there with its money, that `bespoke ledger verify` finds
nothing wrong, and that a second burst after the restart can spend the
budget exactly to zero and not a penny more.

    python3 tests/faults/crash_during_commissions.py
    FAULTS_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres python3 tests/faults/crash_during_commissions.py
"""

import http.client
import threading
import time

from harness import Database, Server, call, fail, iso, must, people_and_plan, say

PRICE_PENCE = 1500  # one hour at £15 a commission
CAPACITY = 600  # commissions the budget can pay for
KILL_AFTER = 120  # acknowledged commissions before the SIGKILL
WORKERS = 16


def burst(server, setup, acknowledged, refused, unexpected, stop):
    """WORKERS threads commissioning until `stop` is set or the server goes."""
    body = {
        "listing_id": setup["listing"], "portion": "direct_payment", "quantity": "1", "per": "week",
        "start_date": iso(7), "end_date": iso(13),
    }
    lock = threading.Lock()

    def worker():
        while not stop.is_set():
            try:
                status, reply = call(server.base, "POST", f"/plans/{setup['plan']}/commissions", body,
                                     setup["holder_token"], timeout=10)
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            with lock:
                if status == 201:
                    acknowledged.append(reply["id"])
                elif status in (409, 422):
                    refused.append(reply)
                    if len(refused) > 50:
                        stop.set()
                else:
                    unexpected.append(f"{status}: {reply}")
                    stop.set()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    return threads


def main():
    database = Database("crash")
    server = Server(database).start()
    try:
        setup = people_and_plan(server, budget=f"{CAPACITY * PRICE_PENCE // 100}.00")
        say(f"{database.kind}: plan {setup['plan']} can pay for {CAPACITY} commissions of £15")

        acknowledged, refused, unexpected, stop = [], [], [], threading.Event()
        threads = burst(server, setup, acknowledged, refused, unexpected, stop)
        while len(acknowledged) < KILL_AFTER and not unexpected:
            time.sleep(0.01)
        if unexpected:
            fail(f"a commission was answered {unexpected[0]}")
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        say(f"SIGKILL after {len(acknowledged)} acknowledged commissions (requests were still in flight)")

        server.start()
        token = setup["holder_token"]
        for commission_id in acknowledged:
            status, reply = call(server.base, "GET", f"/commissions/{commission_id}", token=token)
            if status != 200:
                fail(f"acknowledged commission {commission_id} is lost after the restart: {status} {reply}")
            if reply["committed"] != "15.00":
                fail(f"commission {commission_id} holds {reply['committed']}, not 15.00")
        stored = int(database.scalar(f"SELECT COUNT(*) FROM commissions WHERE plan_id = {setup['plan']}"))
        plan = must(server.base, "GET", f"/plans/{setup['plan']}", token=token)
        say(f"after the restart: all {len(acknowledged)} acknowledged commissions are there; "
            f"{stored} stored in all; committed £{plan['committed']}")
        if plan["committed"] != f"{stored * 15}.00":
            fail(f"committed £{plan['committed']} does not match {stored} commissions of £15")

        # Spend the rest, concurrently: the budget must stop the burst at exactly zero.
        more, refused, stop = [], [], threading.Event()
        for thread in burst(server, setup, more, refused, unexpected, stop):
            thread.join(timeout=300)
        if unexpected:
            fail(f"a commission was answered {unexpected[0]}")
        plan = must(server.base, "GET", f"/plans/{setup['plan']}", token=token)
        stored = int(database.scalar(f"SELECT COUNT(*) FROM commissions WHERE plan_id = {setup['plan']}"))
        say(f"second burst: {len(more)} more acknowledged, {len(refused)} refused for want of budget; "
            f"{stored} stored; committed £{plan['committed']}, available £{plan['available']}")
        if stored != CAPACITY or plan["committed"] != f"{CAPACITY * 15}.00" or plan["available"] != "0.00":
            fail("the budget was not spent exactly to zero")
        if not any("budget" in str(r).lower() or "available" in str(r).lower() for r in refused):
            fail(f"refusals did not say why: {refused[:1]}")
        server.stop()

        verify = database.run("ledger", "verify")
        say(f"bespoke ledger verify: exit {verify.returncode}: {verify.stdout.strip()}")
        if verify.returncode != 0:
            fail(verify.stdout + verify.stderr)
        say("PASSED: nothing acknowledged was lost and nothing was overspent")
    finally:
        server.stop()
        database.drop()


if __name__ == "__main__":
    main()
