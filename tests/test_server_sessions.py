"""A session the server has destroyed leaves nothing behind.

The app is served in this process (``pn.serve``, threaded) so that its objects can be looked for once
the sessions are gone; the sessions are opened over the websocket as a browser would (``AppSession`` from
the load test), used (a click on the plot) and closed. Two leaks were found this way before
(``benchmarks/soak_test.py --diagnose``): Panel's registry of JS callbacks kept every session whole.
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
import urllib.request
import weakref
from pathlib import Path

import panel as pn
import pytest

from app.explorer import MLEExplorer, create_app

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import load_test  # noqa: E402
from _server import AppSession, free_port, wait_until  # noqa: E402

SESSIONS = 3


@pytest.fixture
def served_app():
    """Serve ``create_app`` in this process; yield (url, weak references to what each session made, the
    sessions destroyed so far)."""
    made: list[weakref.ref] = []
    destroyed: list[int] = []

    def on_destroyed(session_context):
        destroyed.append(1)

    def factory():
        explorer = MLEExplorer()
        made.extend([weakref.ref(explorer), weakref.ref(explorer.state), weakref.ref(pn.state.curdoc)])
        pn.state.curdoc.on_session_destroyed(on_destroyed)
        return create_app(explorer)

    port = free_port()
    server = pn.serve(
        {"/main": factory},
        port=port,
        address="127.0.0.1",
        websocket_origin=f"127.0.0.1:{port}",
        show=False,
        threaded=True,
        start=True,
        verbose=False,
        liveness=True,
        # Discard a closed session after 0.2 s instead of 15 s.
        check_unused_sessions_milliseconds=200,
        unused_session_lifetime_milliseconds=200,
    )
    try:
        wait_until(lambda: _live(port), timeout=60, what="the server's /liveness")
        yield f"http://127.0.0.1:{port}/main", made, destroyed
    finally:
        server.stop()
        server.join(timeout=10)


def _live(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/liveness", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


async def _use_and_close(url: str, index: int) -> None:
    session = await AppSession(url).open(timeout=60)
    try:
        student = load_test.Student(index, session, load_test.Recorder(recording=True), random.Random(index))
        await student.click()
        assert student.recorder.errors == {}, student.recorder.errors
    finally:
        await session.close()


@pytest.mark.timeout(180)
def test_closed_sessions_leave_nothing_behind(served_app):
    url, made, destroyed = served_app

    async def drive():
        for index in range(SESSIONS):
            await _use_and_close(url, index)

    asyncio.run(drive())
    assert len(made) == 3 * SESSIONS
    wait_until(lambda: len(destroyed) == SESSIONS, timeout=60, what=lambda: f"{len(destroyed)} sessions destroyed")
    gc.collect()
    alive = [type(ref()).__name__ for ref in made if ref() is not None]
    assert alive == [], f"still alive after their sessions were destroyed: {alive}"
