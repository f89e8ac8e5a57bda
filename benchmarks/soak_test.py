"""Soak test: open and close 200 sessions against one served app; does the server's memory come back?

Run ``python benchmarks/soak_test.py`` (about 3 min). It starts ``panel serve app/main.py`` with
``--check-unused-sessions 1000 --unused-session-lifetime 1000`` (Bokeh then discards a session about 1-2 s
after its tab closes, instead of after 15-17 s), and reads the server's resident memory (VmRSS in
``/proc/<pid>/status``):

1. **baseline**: after a few warm-up sessions (5; ``--warmup N``) have been opened, used, closed and destroyed;
2. **after N sessions**: once N more sessions have each been opened, used like a student does (a click on
   the plot, a μ slider step, Optimize to the end of its animation) and closed, 4 at a time (``--concurrency N``);
3. **after cleanup**: once the server's log says every session has been destroyed (Panel logs "Session …
   destroyed" for each) and the RSS has not changed for 12 s (Panel runs ``gc.collect()`` 5 to 10 s after the
   last destroyed session).

Target: the RSS after cleanup within 10% of the baseline. ``--collect-every-session`` serves the app with Panel
collecting garbage as soon as each session is destroyed (by default it waits for 5 s without one), and
``--gc-cost 1 8 40`` times one full ``gc.collect()`` with that many pages alive: together they show what
collecting sooner would save in memory and cost in pauses. ``--system-malloc`` serves it with glibc's ``malloc``
for every object (``PYTHONMALLOC=malloc``) and ``malloc_trim(0)`` after every full collection: it shows where
the memory that does not come back is held (Python's small-object arenas, see ``SYSTEM_MALLOC_SETUP``).
``--diagnose`` runs the same sessions against the
app served in this process (``pn.serve(threaded=True)``) and counts, after the sessions are destroyed and
``gc.collect()``, the objects each session creates (the explorer, its state, its Bokeh document, figure,
sources, the Panel template): any still alive are retained, and the first chain of references that holds
one is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import gc
import itertools
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server
import load_test
from _server import ROOT, AppSession, ServedApp, rss_bytes, wait_until
from load_test import Recorder, Student

SESSIONS = 200
WARMUP_SESSIONS = 5
#: Sessions open at the same time while cycling through them.
CONCURRENCY = 4
#: How soon Bokeh discards a closed session (ms): check every second, discard after a second unused.
CLEANUP_ARGS = ("--check-unused-sessions", "1000", "--unused-session-lifetime", "1000")
TARGET_GROWTH = 0.10
#: The RSS is "settled" when it varies by less than this over STABLE_WINDOW_S. The window is longer than the
#: longest wait for Panel's gc: 5 to 10 s after the last destroyed session, because its debounce looks again
#: after as long as has passed since that session (so "after cleanup" is after garbage collection).
STABLE_TOLERANCE = 0.005
STABLE_WINDOW_S = 12.0
CLEANUP_TIMEOUT_S = 120.0
SEED = 20240611
#: ``--collect-every-session``: a ``panel serve --setup`` script that makes Panel collect garbage as soon as a
#: session is destroyed. Panel waits for 5 s without a destroyed session (``GC_DEBOUNCE``), so while sessions keep
#: closing no full collection runs and the closed sessions' objects pile up until Python's own one does.
COLLECT_EVERY_SESSION_SETUP = """
import panel.io.document

if not hasattr(panel.io.document, "GC_DEBOUNCE"):
    raise RuntimeError("this Panel has no panel.io.document.GC_DEBOUNCE: --collect-every-session cannot work")
panel.io.document.GC_DEBOUNCE = 0
"""
#: ``--system-malloc``: the server runs with ``PYTHONMALLOC=malloc`` (every object from glibc's ``malloc`` instead
#: of Python's own small-object allocator) and this ``--setup`` script, which asks glibc to give its free pages
#: back after every full collection (Panel's after destroyed sessions included). Python's allocator keeps a 1 MiB
#: arena while a single object lives in it, and the event loop's recurring timers (a handle, its context, its
#: deadline: a few hundred bytes) are re-created every tick in the partly used pages of the arenas the peak
#: added, so those arenas stay; glibc's heap can release any free page.
SYSTEM_MALLOC_ENVIRONMENT = {"PYTHONMALLOC": "malloc"}
SYSTEM_MALLOC_SETUP = """
import ctypes
import gc

libc = ctypes.CDLL("libc.so.6")


def give_back_free_pages(phase, info):
    if phase == "stop" and info["generation"] == 2:
        libc.malloc_trim(0)


gc.callbacks.append(give_back_free_pages)
"""


async def use_session(url: str, index: int, recorder: Recorder, rng: random.Random) -> None:
    """Open a session, do what a student does in a few seconds (click, slider step, Optimize), close it."""
    session = await AppSession(url).open()
    try:
        student = Student(index, session, recorder, rng)
        for kind in ("click", "slider", "optimize"):
            await student.act(kind)
        student.final_check()
    finally:
        await session.close()


async def cycle_sessions(
    url: str, count: int, first_index: int, recorder: Recorder, seed: int, concurrency: int = CONCURRENCY
) -> None:
    """Open, use and close ``count`` sessions, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)
    rng = random.Random(seed)

    async def one(index: int) -> None:
        async with gate:
            try:
                await use_session(url, index, recorder, random.Random(rng.random()))
            except Exception as error:
                recorder.error("session", f"session {index}: {type(error).__name__}: {error}", always=True)

    await asyncio.gather(*(one(first_index + i) for i in range(count)))


def wait_for_stable(read, window: float = STABLE_WINDOW_S, tolerance: float = STABLE_TOLERANCE, timeout=120.0):
    """Poll ``read()`` until its values over the last ``window`` seconds are within ``tolerance``; return the last."""
    samples: list[tuple[float, float]] = []

    def settled():
        now = time.monotonic()
        samples.append((now, read()))
        recent = [v for t, v in samples if t >= now - window]
        if samples[0][0] > now - window:
            return None  # not a full window yet
        low, high = min(recent), max(recent)
        return recent[-1] if high - low <= tolerance * high else None

    return wait_until(settled, timeout=timeout, interval=0.5, what="the server's memory to settle")


def mb(value: float) -> float:
    return value / 2**20


def run(
    sessions: int = SESSIONS,
    seed: int = SEED,
    log_path=None,
    rounds: int = 1,
    warmup: int = WARMUP_SESSIONS,
    concurrency: int = CONCURRENCY,
    collect_every_session: bool = False,
    system_malloc: bool = False,
) -> dict[str, Any]:
    """Serve the app, cycle ``sessions`` sessions through it ``rounds`` times and return the memory at each phase.

    A second round tells a leak from the allocator's high-water mark: a leak grows by the same amount in
    every round; memory freed by Python but kept by the process (the most sessions alive at once, while
    closed ones wait to be destroyed, set that peak) is reused, and the second round adds ~nothing.
    """
    recorder = Recorder(recording=True)
    extra_args = list(CLEANUP_ARGS)
    setups = [COLLECT_EVERY_SESSION_SETUP] * collect_every_session + [SYSTEM_MALLOC_SETUP] * system_malloc
    with contextlib.ExitStack() as stack:
        if setups:  # ``panel serve`` takes one --setup script
            setup = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "soak_setup.py"
            setup.write_text("\n".join(setups), encoding="utf-8")
            extra_args += ["--setup", str(setup)]
        environment = SYSTEM_MALLOC_ENVIRONMENT if system_malloc else None
        result = _cycle_served(
            ServedApp(extra_args, log_path=log_path, environment=environment),
            recorder,
            sessions,
            seed,
            rounds,
            warmup,
            concurrency,
        )
    return {**result, "collect_every_session": collect_every_session, "system_malloc": system_malloc}


def _cycle_served(served, recorder, sessions, seed, rounds, warmup, concurrency) -> dict[str, Any]:
    with served as server:
        started = mb(rss_bytes(server.pid))
        asyncio.run(cycle_sessions(server.url, warmup, 0, recorder, seed, concurrency))
        wait_until(lambda: server.live_sessions == 0, CLEANUP_TIMEOUT_S, what="the warm-up sessions to be destroyed")
        baseline = mb(wait_for_stable(lambda: rss_bytes(server.pid)))
        phases = []
        for round_ in range(rounds):
            t0 = time.monotonic()
            first = warmup + round_ * sessions
            asyncio.run(cycle_sessions(server.url, sessions, first, recorder, seed + 1 + round_, concurrency))
            cycle_s = time.monotonic() - t0
            after = mb(rss_bytes(server.pid))
            live_after = server.live_sessions
            t1 = time.monotonic()
            wait_until(lambda: server.live_sessions == 0, CLEANUP_TIMEOUT_S, what="every session to be destroyed")
            destroyed_s = time.monotonic() - t1
            cleaned = mb(wait_for_stable(lambda: rss_bytes(server.pid)))
            phases.append(
                {
                    "sessions_so_far": (round_ + 1) * sessions,
                    "after_mb": after,
                    "live_after": live_after,
                    "cleaned_mb": cleaned,
                    "cycle_s": cycle_s,
                    "destroyed_s": destroyed_s,
                }
            )
        launched, destroyed = server.launched, server.destroyed
        errors = list(server.error_lines)
    return {
        "sessions": sessions,
        "rounds": rounds,
        "warmup": warmup,
        "concurrency": concurrency,
        "started_mb": started,
        "baseline_mb": baseline,
        "phases": phases,
        # The first round's figures, which the target is about.
        **{key: phases[0][key] for key in ("after_mb", "live_after", "cleaned_mb", "cycle_s", "destroyed_s")},
        "launched": launched,
        "destroyed": destroyed,
        "client_errors": [f"{kind}: {e}" for kind, errors_ in recorder.errors.items() for e in errors_],
        "server_errors": errors,
        "times": recorder.times,
    }


def markdown_table(result: dict[str, Any]) -> str:
    base = result["baseline_mb"]

    def row(phase, live, value):
        return f"| {phase} | {live} | {value:.1f} | {100 * (value - base) / base:+.1f}% |"

    lines = [
        "| phase | live sessions | server RSS MB | vs baseline |",
        "|---|---:|---:|---:|",
        row("server started, no session yet", 0, result["started_mb"]),
        row(f"baseline: after {result['warmup']} warm-up sessions, destroyed", 0, base),
    ]
    for phase in result.get("phases") or [{**result, "sessions_so_far": result["sessions"]}]:
        total = phase["sessions_so_far"]
        lines += [
            row(
                f"after {total} sessions (after the warm-up) opened, used and closed",
                phase["live_after"],
                phase["after_mb"],
            ),
            row(f"after cleanup (all {total} destroyed, gc run, RSS settled)", 0, phase["cleaned_mb"]),
        ]
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    growth = (result["cleaned_mb"] - result["baseline_mb"]) / result["baseline_mb"]
    per_session_kb = 1024 * (result["cleaned_mb"] - result["baseline_mb"]) / result["sessions"]
    lines = [
        markdown_table(result),
        "",
        f"- {result['sessions']} sessions in {result['cycle_s']:.1f} s ({result['concurrency']} at a time"
        f"{'; a full gc after every destroyed session' if result.get('collect_every_session') else ''}"
        f"{'; glibc malloc, its free pages given back after every full gc' if result.get('system_malloc') else ''}); "
        f"the last was destroyed {result['destroyed_s']:.1f} s after the last tab closed; "
        f"the server logged {result['launched']} sessions launched and {result['destroyed']} destroyed",
        f"- after cleanup: {100 * growth:+.1f}% vs baseline ({per_session_kb:+.0f} KB per session): "
        f"target within {100 * TARGET_GROWTH:g}%: {'met' if abs(growth) <= TARGET_GROWTH else 'NOT met'}",
    ]
    phases = result.get("phases", [])
    for previous, phase in itertools.pairwise(phases):
        added = phase["sessions_so_far"] - previous["sessions_so_far"]
        change = phase["cleaned_mb"] - previous["cleaned_mb"]
        lines.append(
            f"- sessions {previous['sessions_so_far'] + 1}–{phase['sessions_so_far']}: {change:+.1f} MB after "
            f"cleanup ({1024 * change / added:+.0f} KB per session; "
            f"{100 * change / previous['cleaned_mb']:+.1f}% of the memory after the round before)"
        )
    lines.append(
        f"- errors: {len(result['client_errors'])} in the sessions, {len(result['server_errors'])} in the server's log"
    )
    lines += [f"  - {e}" for e in (result["client_errors"] + result["server_errors"])[:10]]
    return "\n".join(lines)


def full_collection_ms(pages: int, repeats: int = 7) -> float:
    """The median time (ms) of one full ``gc.collect()`` in this process with ``pages`` of the app alive.

    What a full collection costs a server with that many open sessions: it traverses every live object, and
    blocks the event loop (every session's callbacks) while it runs.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from mle_explorer.explorer import create_app

    alive = []
    for _ in range(pages):
        document = Document()
        with set_curdoc(document):
            create_app().server_doc(document)
        alive.append(document)
    gc.collect()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gc.collect()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


# --- diagnosis: the same sessions against the app served in this process ---------------------------------------
def _tracked_types() -> dict[str, type]:
    from bokeh.document import Document
    from bokeh.models import ColumnDataSource, Plot
    from bokeh.server.session import ServerSession
    from panel.template import BootstrapTemplate

    from mle_explorer.explorer import MLEExplorer
    from mle_explorer.plot import LikelihoodPlot
    from mle_explorer.state import ExplorerState

    return {
        "MLEExplorer": MLEExplorer,
        "ExplorerState": ExplorerState,
        "LikelihoodPlot": LikelihoodPlot,
        "BootstrapTemplate": BootstrapTemplate,
        "bokeh Document": Document,
        "bokeh Plot (figure)": Plot,
        "bokeh ColumnDataSource": ColumnDataSource,
        "bokeh ServerSession": ServerSession,
    }


def count_objects(types: dict[str, type]) -> dict[str, int]:
    gc.collect()
    counts = dict.fromkeys(types, 0)
    for obj in gc.get_objects():
        for name, cls in types.items():
            if isinstance(obj, cls):
                counts[name] += 1
    return counts


def reference_chain(target: Any, max_depth: int = 25) -> list[str]:
    """A chain of referrers from ``target`` up to a module, class or running frame (objgraph-style), outermost first."""
    import types as pytypes

    here = sys._getframe()
    seen = {id(target)}
    queue = collections.deque([(target, [])])
    while queue:
        obj, path = queue.popleft()
        if len(path) >= max_depth:
            continue
        for referrer in gc.get_referrers(obj):
            if id(referrer) in seen or referrer is here or referrer is queue or referrer is path:
                continue
            seen.add(id(referrer))
            step = [*path, _describe(referrer, obj)]
            if isinstance(referrer, (pytypes.ModuleType, type, pytypes.FrameType)):
                return list(reversed(step))
            queue.append((referrer, step))
    return ["(no chain to a module, class or frame found)"]


def _describe(referrer: Any, obj: Any) -> str:
    import types as pytypes

    name = type(referrer).__qualname__
    if isinstance(referrer, pytypes.FrameType):
        code = referrer.f_code
        return f"frame of {code.co_qualname} ({Path(code.co_filename).name}:{referrer.f_lineno})"
    if isinstance(referrer, dict):
        keys = [repr(k) for k, v in referrer.items() if v is obj][:1] or ["(as a key)"]
        return f"dict[{keys[0][:60]}]"
    if isinstance(referrer, (list, tuple, set, collections.deque)):
        return f"{name} (len {len(referrer)})"
    if isinstance(referrer, (pytypes.FunctionType, pytypes.MethodType, type, pytypes.ModuleType)):
        return f"{name} {getattr(referrer, '__module__', '')}.{getattr(referrer, '__qualname__', referrer.__name__)}"
    if isinstance(referrer, pytypes.CellType):
        return "closure cell"
    return f"{type(referrer).__module__}.{name}"


def _drive_in_subprocess(url: str, count: int, first_index: int, seed: int) -> list[str]:
    """Cycle sessions from a separate process, so that only the server's objects are in this one."""
    command = [sys.executable, __file__, "--drive", url, "--sessions", str(count), "--first", str(first_index)]
    command += ["--seed", str(seed), "--open-timeout", "600"]  # tracemalloc slows the server down
    done = subprocess.run(command, capture_output=True, text=True, timeout=CLEANUP_TIMEOUT_S + 60 * count)
    if done.returncode != 0:
        return [f"client process exited with {done.returncode}: {done.stdout[-2000:]}{done.stderr[-2000:]}"]
    return [line for line in done.stdout.splitlines() if line.strip()]


def _top_growth(before: collections.Counter, after: collections.Counter, limit: int = 12) -> list[tuple[str, int]]:
    growth = after - before
    return growth.most_common(limit)


def _type_counts() -> collections.Counter:
    gc.collect()
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def forget_links_on_destroy() -> None:
    """The fix tried by ``--diagnose --fix-links``, for the session being built: call before building its page.

    ``panel.links.Callback.registry`` (for ``js_on_click``, ``jscallback``, ``jslink``) is a class-level
    ``WeakKeyDictionary`` keyed by the source widget, and its values (the callbacks) hold their ``args``
    strongly: when an arg leads back to the source (a widget of the same session does, through its watchers and
    the app's objects), the key never dies, and neither does anything the session built. Remember the keys
    this session adds and drop them when it is destroyed.
    """
    import weakref

    import panel as pn
    from panel.links import Callback

    before = {id(key) for key in Callback.registry}
    document = pn.state.curdoc

    def forget(_context) -> None:
        for ref in added:
            key = ref()
            if key is not None:
                Callback.registry.pop(key, None)

    def collect() -> None:
        added.extend(weakref.ref(key) for key in list(Callback.registry.keys()) if id(key) not in before)

    added: list = []
    document.on_session_destroyed(forget)
    return collect


def diagnose(sessions: int = 30, seed: int = SEED, fix_links: bool = False) -> dict[str, Any]:
    """Serve the app in this process, cycle ``sessions`` sessions through it from another process, and
    return what is left once they are destroyed: tracked objects, the types that grew, tracemalloc's
    top allocation sites, and the RSS before and after asking the C allocator to give memory back.
    With ``fix_links``, each session drops its entries of Panel's link registry when it is destroyed.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    tracemalloc.start(int(os.environ.get("SOAK_TRACE_FRAMES", "10")))
    import panel as pn

    from mle_explorer.explorer import create_app

    destroyed = []
    lock = threading.Lock()

    def on_destroyed(_context) -> None:
        with lock:
            destroyed.append(1)

    launched = []

    def factory():
        launched.append(1)
        pn.state.curdoc.on_session_destroyed(on_destroyed)
        if not fix_links:
            return create_app()
        collect = forget_links_on_destroy()
        page = create_app()
        collect()
        return page

    from _server import free_port

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
        check_unused_sessions_milliseconds=1000,
        unused_session_lifetime_milliseconds=1000,
    )
    url = f"http://127.0.0.1:{port}/main"
    types = _tracked_types()
    pid = os.getpid()
    try:
        wait_until(lambda: _live(port), timeout=60, what="the in-process server")
        errors = _drive_in_subprocess(url, WARMUP_SESSIONS, 0, seed)
        wait_until(
            lambda: len(destroyed) >= WARMUP_SESSIONS,
            CLEANUP_TIMEOUT_S,
            what=lambda: f"warm-up sessions destroyed ({len(destroyed)} of {len(launched)}; client: {errors[:3]})",
        )
        before, all_before = count_objects(types), _type_counts()
        traced_before, rss_before = tracemalloc.take_snapshot(), mb(rss_bytes(pid))
        errors += _drive_in_subprocess(url, sessions, WARMUP_SESSIONS, seed + 1)
        wait_until(
            lambda: len(destroyed) >= WARMUP_SESSIONS + sessions,
            CLEANUP_TIMEOUT_S,
            what=lambda: f"every session destroyed ({len(destroyed)} of {len(launched)} so far)",
        )
        after, all_after = count_objects(types), _type_counts()
        traced_after, rss_after = tracemalloc.take_snapshot(), mb(rss_bytes(pid))
        trimmed = _malloc_trim()
        rss_trimmed = mb(rss_bytes(pid))
        chains = {}
        for name, cls in types.items():
            if after[name] > before[name]:
                instance = next((o for o in gc.get_objects() if isinstance(o, cls)), None)
                if instance is not None:
                    chains[name] = reference_chain(instance)
    finally:
        server.stop()
        with contextlib.suppress(Exception):
            server.join(timeout=10)
        tracemalloc.stop()
    diff = traced_after.compare_to(traced_before, "lineno")
    return {
        "sessions": sessions,
        "fix_links": fix_links,
        "before": before,
        "after": after,
        "chains": chains,
        "type_growth": _top_growth(all_before, all_after),
        "traced_growth_mb": sum(d.size_diff for d in diff) / 2**20,
        "top_sites": [(str(d.traceback), d.size_diff, d.count_diff) for d in diff[:10]],
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "rss_trimmed_mb": rss_trimmed if trimmed else None,
        "errors": [e for e in errors if not e.startswith("ok")],
    }


def _malloc_trim() -> bool:
    """Ask glibc to return free heap memory to the system (what a server could do after cleanups)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    libc.malloc_trim(0)
    return True


def _live(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/liveness", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def diagnosis_report(result: dict[str, Any]) -> str:
    n = result["sessions"]
    lines = [
        "Fix tried: each session drops its Panel link registry entries when destroyed."
        if result["fix_links"]
        else "The app as it is.",
        "",
        f"| objects in the server (after gc.collect()) | after {WARMUP_SESSIONS} warm-up sessions "
        f"| after {n} more, all destroyed |",
        "|---|---:|---:|",
    ]
    for name in result["before"]:
        lines.append(f"| {name} | {result['before'][name]} | {result['after'][name]} |")
    if result["chains"]:
        lines += ["", "Retained, and what holds them (outermost first):"]
        for name, chain in result["chains"].items():
            lines.append(f"- {name}: " + " → ".join(chain))
    else:
        lines += ["", "None of these is retained once its session is destroyed."]
    lines += ["", f"Types with more live objects after the {n} sessions than before (after gc.collect()):"]
    lines += [f"- {name}: +{count}" for name, count in result["type_growth"]] or ["- none"]
    lines += [
        "",
        f"Python heap (tracemalloc): {result['traced_growth_mb']:+.2f} MB after the {n} sessions; "
        f"top allocation sites still held:",
    ]
    lines += [f"- {site}: {size / 1024:+.0f} KB in {count:+d} blocks" for site, size, count in result["top_sites"][:8]]
    trimmed = result["rss_trimmed_mb"]
    lines += [
        "",
        f"RSS of this process: {result['rss_before_mb']:.1f} MB before, {result['rss_after_mb']:.1f} MB after "
        f"({result['rss_after_mb'] - result['rss_before_mb']:+.1f} MB)"
        + (f", {trimmed:.1f} MB after malloc_trim(0)" if trimmed is not None else ""),
    ]
    if result["errors"]:
        lines += ["", "Errors:"] + [f"- {e}" for e in result["errors"][:10]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS, help=f"sessions to cycle (default {SESSIONS})")
    parser.add_argument("--log", help="write the server's log to this file")
    parser.add_argument(
        "--rounds", type=int, default=1, help="cycle the sessions this many times (a leak grows in every round)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=WARMUP_SESSIONS,
        help=f"sessions before the baseline is taken (default {WARMUP_SESSIONS}; the target is about the default)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"sessions open at once, warm-up included (default {CONCURRENCY}; the target is about the default)",
    )
    parser.add_argument(
        "--collect-every-session",
        action="store_true",
        help="serve with Panel collecting garbage as soon as each session is destroyed (not after 5 quiet seconds)",
    )
    parser.add_argument(
        "--system-malloc",
        action="store_true",
        help="serve with PYTHONMALLOC=malloc and glibc's malloc_trim(0) after every full collection",
    )
    parser.add_argument(
        "--gc-cost",
        type=int,
        nargs="+",
        metavar="PAGES",
        help="instead: time one full gc.collect() in this process with this many pages alive (e.g. 8 40)",
    )
    parser.add_argument("--diagnose", action="store_true", help="count retained objects with the app served in-process")
    parser.add_argument(
        "--fix-links", action="store_true", help="with --diagnose: drop each session's Panel link registry entries"
    )
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)  # the client side of --diagnose
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument("--open-timeout", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        if args.open_timeout:
            _server.OPEN_TIMEOUT_S = args.open_timeout
            load_test.TIMEOUT_S = args.open_timeout
        recorder = Recorder(recording=True)
        asyncio.run(cycle_sessions(args.drive, args.sessions, args.first, recorder, args.seed))
        for kind, errors in recorder.errors.items():
            for error in errors:
                print(f"{kind}: {error}")
        print("ok")
        return 0
    print(f"$ python {' '.join(sys.argv)}")
    print(
        f"Python {platform.python_version()}, panel {version('panel')}, bokeh {version('bokeh')}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    print()
    if args.gc_cost:
        print("| pages alive | one full gc.collect(), median of 7 |")
        print("|---:|---:|")
        for pages in args.gc_cost:
            print(f"| {pages} | {full_collection_ms(pages):.0f} ms |", flush=True)
        return 0
    if args.diagnose:
        result = diagnose(args.sessions, args.seed, args.fix_links)
        print(diagnosis_report(result))
        return 0
    result = run(
        args.sessions,
        log_path=args.log,
        rounds=args.rounds,
        warmup=args.warmup,
        concurrency=args.concurrency,
        collect_every_session=args.collect_every_session,
        system_malloc=args.system_malloc,
    )
    print(report(result))
    growth = (result["cleaned_mb"] - result["baseline_mb"]) / result["baseline_mb"]
    failed = result["client_errors"] or result["server_errors"] or abs(growth) > TARGET_GROWTH
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
