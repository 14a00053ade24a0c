#!/usr/bin/env python3
"""Meilisearch unreachable: listing changes are accepted and wait in the
search outbox, searches answer a clear 503 (problem+json on the API, a
helpful page in the browser), and once the engine is back the changes are
indexed without anyone asking.

The engine is reached through a TCP proxy that this script cuts and
restores, so the outage is real for the server while Meilisearch itself
keeps running. Needs MEILI_URL (and MEILI_API_KEY if the server has one);
without it there is no separate engine to lose and the script says so.

    MEILI_URL=http://127.0.0.1:7700 python3 tests/faults/search_outage.py
"""

import asyncio
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from harness import Database, Server, call, fail, must, people_and_plan, say


class Proxy:
    """Forwards 127.0.0.1:port to the engine until cut."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.connections = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.port = self._run(self._listen(0))

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        try:
            engine_reader, engine_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.connections.update({client_writer, engine_writer})
        await asyncio.gather(self._pipe(client_reader, engine_writer), self._pipe(engine_reader, client_writer))

    async def _listen(self, port):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        return self.server.sockets[0].getsockname()[1]

    async def _cut(self):
        self.server.close()
        await self.server.wait_closed()
        for writer in self.connections:
            writer.transport.abort()
        self.connections.clear()

    def cut(self):
        self._run(self._cut())

    def restore(self):
        self._run(self._listen(self.port))


def search_for(server, words):
    status, reply = call(server.base, "GET", "/search?" + urllib.parse.urlencode({"q": words}))
    return status, reply


def main():
    meili = os.environ.get("MEILI_URL")
    if not meili:
        say("skipped: MEILI_URL is not set. The embedded engine runs inside the server and cannot be "
            "unreachable on its own; tests/search_pages.rs covers the outbox while an engine is down.")
        return
    target = urllib.parse.urlparse(meili)
    proxy = Proxy(target.hostname, target.port or 80)
    index = f"fault_{uuid.uuid4().hex[:10]}"
    database = Database("search")
    engine = {"MEILI_URL": f"http://127.0.0.1:{proxy.port}", "BESPOKE_SEARCH_INDEX": index}
    if os.environ.get("MEILI_API_KEY"):
        engine["MEILI_API_KEY"] = os.environ["MEILI_API_KEY"]
    server = Server(database, extra=engine).start()
    try:
        setup = people_and_plan(server, budget="1000.00")
        deadline = time.time() + 60
        while search_for(server, "Fault personal assistant")[1].get("total") != 1:
            if time.time() > deadline:
                fail("the first listing never became searchable")
            time.sleep(0.5)
        say(f"{database.kind} + Meilisearch through a proxy on port {proxy.port}: the listing is searchable")

        proxy.cut()
        say("engine cut off")
        new_title = f"Wheelchair accessible swimming {uuid.uuid4().hex[:6]}"
        must(server.base, "PATCH", f"/listings/{setup['listing']}", {"title": new_title}, setup["seller_token"])
        status, reply = search_for(server, new_title)
        say(f"while down: the change was accepted; a search answers {status}: {reply.get('detail')}")
        if status != 503 or "not available at the moment" not in reply.get("detail", ""):
            fail(f"expected a clear 503 while the engine is down, got {status} {reply}")
        try:
            urllib.request.urlopen(f"{server.base}/search?q=swimming", timeout=10)
            fail("the search page should not answer 200 while the engine is down")
        except urllib.error.HTTPError as error:
            page = error.read().decode()
            if error.code != 503 or "<h1>" not in page:
                fail(f"the search page answered {error.code} without a helpful page")
        time.sleep(3)
        waiting = int(database.scalar("SELECT COUNT(*) FROM search_outbox"))
        if waiting < 1:
            fail("the listing change is not waiting in the search outbox")
        say(f"{waiting} change(s) waiting in the search outbox")

        proxy.restore()
        say("engine back")
        deadline = time.time() + 120
        while True:
            status, reply = search_for(server, new_title)
            if status == 200 and reply["total"] == 1 and reply["items"][0]["title"] == new_title:
                break
            if time.time() > deadline:
                fail(f"the change was not indexed within 120 s of the engine's return: {status} {reply}")
            time.sleep(1)
        say(f"indexed after the engine returned; search outbox now {database.scalar('SELECT COUNT(*) FROM search_outbox')}")
        say("PASSED: changes waited out the outage and searches said clearly what was wrong")
    finally:
        server.stop()
        database.drop()
        request = urllib.request.Request(f"{meili.rstrip('/')}/indexes/{index}", method="DELETE")
        if os.environ.get("MEILI_API_KEY"):
            request.add_header("Authorization", f"Bearer {os.environ['MEILI_API_KEY']}")
        try:
            urllib.request.urlopen(request, timeout=10)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
