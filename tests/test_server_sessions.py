"""A session the server has destroyed leaves nothing behind.

The app is served in a child Python process (``pn.serve``, threaded, in that process, so that its objects can
be looked for once the sessions are gone, and so that this serving leaves nothing in the test process's Panel
state: browser tests run after it once loaded remote resources). The sessions are opened over the websocket
as a browser would (``AppSession`` from the load test), used (a click on the plot) and closed. A leak was
found this way before (``benchmarks/soak_test.py --diagnose``): Panel's registry of JS callbacks kept every
session whole; and Panel's list of template roots kept one id per session (see ``mle_explorer.classroom.SessionPage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 3


def cycle_sessions_and_report() -> dict:
    """Serve the app here, open, use and close ``SESSIONS`` sessions, and report what is left of them."""
    for folder in (ROOT, ROOT / "benchmarks"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    import load_test
    import panel as pn
    from _server import AppSession, wait_until

    from mle_explorer.explorer import MLEExplorer, create_app
    from tests.browser.support import serve

    made: list[weakref.ref] = []
    destroyed: list[int] = []

    def on_destroyed(session_context):
        destroyed.append(1)

    def factory():
        explorer = MLEExplorer()
        made.extend([weakref.ref(explorer), weakref.ref(explorer.state), weakref.ref(pn.state.curdoc)])
        pn.state.curdoc.on_session_destroyed(on_destroyed)
        return create_app(explorer)

    async def use_and_close(url: str, index: int) -> list[str]:
        session = await AppSession(url).open(timeout=60)
        try:
            recorder = load_test.Recorder(recording=True)
            await load_test.Student(index, session, recorder, random.Random(index)).click()
            return [error for errors in recorder.errors.values() for error in errors]
        finally:
            await session.close()

    async def drive(url: str) -> list[str]:
        return [error for index in range(SESSIONS) for error in await use_and_close(url, index)]

    # Discard a closed session after 0.2 s instead of 15 s.
    lifetime = {"check_unused_sessions_milliseconds": 200, "unused_session_lifetime_milliseconds": 200}
    # Process-wide lists and dicts of Panel's that a session adds to while it lives.
    registries = {
        "pn.state._fake_roots": lambda: len(pn.state._fake_roots),
        "pn.state._views": lambda: len(pn.state._views),
    }
    with serve(factory, **lifetime) as url:
        before = {name: size() for name, size in registries.items()}
        errors = asyncio.run(drive(url))
        wait_until(lambda: len(destroyed) == SESSIONS, timeout=60, what=lambda: f"{len(destroyed)} sessions destroyed")

        # Our callback runs first among a session's destroy callbacks, in the server's thread: the rest of the
        # teardown (the app's own callback, Panel's document cleanup) may still be under way when it has run.
        # Give it time to finish; what a leak keeps stays alive however long this waits.
        def all_freed():
            gc.collect()
            return all(ref() is None for ref in made)

        with contextlib.suppress(TimeoutError):  # what is still alive is reported below, by type
            wait_until(all_freed, timeout=20, interval=0.2)
        alive = [type(ref()).__name__ for ref in made if ref() is not None]
        grown = {name: size() - before[name] for name, size in registries.items() if size() != before[name]}
    return {"made": len(made), "destroyed": len(destroyed), "errors": errors, "alive": alive, "grown": grown}


@pytest.mark.timeout(240)
def test_closed_sessions_leave_nothing_behind():
    done = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, capture_output=True, text=True, timeout=200, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["made"] == 3 * SESSIONS, report
    assert report["destroyed"] == SESSIONS, report
    assert report["errors"] == [], report
    assert report["alive"] == [], f"still alive after their sessions were destroyed: {report['alive']}"
    assert report["grown"] == {}, f"entries left in Panel's registries by the {SESSIONS} sessions: {report['grown']}"


if __name__ == "__main__":
    print(json.dumps(cycle_sessions_and_report()))
