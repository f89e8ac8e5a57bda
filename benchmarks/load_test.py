"""Load test: N students using one served app at once; round trip per interaction, CPU, isolation.

Run ``python benchmarks/load_test.py --sessions 40 --duration 60`` (about 1.5 min). It starts
``panel serve app/main.py`` on 127.0.0.1 (a free port), opens N sessions over the server's websocket in
this process (``_server.AppSession``: Bokeh's own protocol, one asyncio loop, no browser), and lets each
simulated student act about once a second (0.5 to 1.5 s apart, at random), waiting for the answer
before acting again, as a student watching the plot does:

- **click**: a ``Tap`` event on the figure at a new x, what BokehJS sends for a click on the plot
  (the app adds the observation and streams it back);
- **slider**: a new value of the μ slider's model (a keyboard step or a click on its track);
- **drag**: the observations source's ``data`` with one of the student's points moved, what the
  PointDrawTool sends at the end of a drag;
- **optimize**: a ``ButtonClick`` on Optimize; timed to the first frame of its animation, and (its own
  row) to the sliders at the MLE, which the animation reaches after about 0.3 s by design.

Round trip = from the moment the change starts being written to the websocket to the moment this
process has applied the server's update that shows it (the readout's log-likelihood or the μ slider's
value changed; for a click, the new point is in the observations too). Each student's x values carry a
tag in their 7th decimal; after every update each session's observations are checked to hold only the
five example points and the student's own, and at the end exactly those (a leak is an error).

``run(sessions, duration)`` returns the rows; ``markdown_table(rows)`` formats them. The server's CPU
(from /proc, % of one core), this process's CPU and the event loop's lag are printed with the table,
since the load generator shares the machine's two cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import os
import platform
import random
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import AppSession, CpuMeter, ServedApp, app_version, readout_value, ui_event

SESSIONS = 40
DURATION_S = 60.0
#: Interactions in the first seconds (first requests of each session, caches) are not recorded.
WARMUP_S = 3.0
SEED = 20240607
#: Kinds of interaction and how often a student picks each.
WEIGHTS = {"click": 0.35, "slider": 0.35, "drag": 0.15, "optimize": 0.15}
#: Time between the starts of one student's interactions (s), uniform in this range.
PACE_S = (0.5, 1.5)
#: An update that has not arrived after this long is an error.
TIMEOUT_S = 10.0
#: Sessions opened at once while ramping up.
OPEN_CONCURRENCY = 4
TARGET_P95_MS = 250.0
#: Student i's x values are rounded to 1e-3 and carry (i + 1) * TAG_UNIT: unique to the student.
TAG_UNIT = 1e-7

LABELS = {
    "open": f"open a session (websocket → document; {OPEN_CONCURRENCY} at a time, before the run)",
    "click": "click on the plot (Tap) → readout",
    "slider": "μ slider step → readout",
    "drag": "drag a point (source data) → readout",
    "optimize": "Optimize (ButtonClick) → first frame",
    "optimize_end": "Optimize → sliders at the MLE (animation ≈ 0.3 s)",
    "isolation": "isolation check (observations as the server sent them)",
    "integrity": "own observations as expected at the end (values of timed-out actions left out)",
    "connection": "connection",
}
#: Rows the p95 target applies to: the response to an action (the end of the animation is by design).
TARGET_KINDS = ("click", "slider", "drag", "optimize")


def owner_of(x: float) -> int | None:
    """The student index whose tag ``x`` carries, or None for an untagged value."""
    tag = round((x - round(x, 3)) / TAG_UNIT)
    return tag - 1 if tag > 0 else None


@dataclasses.dataclass
class Recorder:
    """Latencies (ms) and errors per interaction kind; only recorded between ``start`` and ``stop``."""

    recording: bool = False
    times: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    checks: int = 0

    def time(self, kind: str, ms: float) -> None:
        if self.recording:
            self.times.setdefault(kind, []).append(ms)

    def error(self, kind: str, message: str, always: bool = False) -> None:
        if self.recording or always:
            self.errors.setdefault(kind, []).append(message)


class Student:
    """One simulated student in session ``index``: clicks, slider steps, drags and Optimize presses."""

    def __init__(self, index: int, session: AppSession, recorder: Recorder, rng: random.Random):
        self.index = index
        self.session = session
        self.recorder = recorder
        self.rng = rng
        self.tag = (index + 1) * TAG_UNIT
        self.readout = session.readout()
        self.mu = session.slider("μ")
        self.optimize_button = session.button("Optimize")
        self.source = session.observations()
        self.figure = session.figure()
        self.initial = [float(x) for x in self.source.data["x"]]
        self.expected = list(self.initial)  # what the server should hold for this student
        self.allowed = set(self.initial)  # every value this session may ever see
        self.own: list[float] = []  # the student's own points (tagged)
        self.leaks: list[str] = []
        # Values of actions whose answer never came (a timeout): the server may or may not hold them.
        self.unconfirmed: set[float] = set()
        self._pending: set[float] = set()
        session.on_update = self.check_isolation

    # --- isolation ----------------------------------------------------------------------------------
    def check_isolation(self) -> None:
        self.recorder.checks += 1
        strangers = [x for x in self.source.data.get("x", ()) if float(x) not in self.allowed]
        if strangers:
            owners = sorted({owner_of(float(x)) for x in strangers}, key=str)
            message = (
                f"session {self.index} received {len(strangers)} foreign value(s) {strangers[:3]} (owners {owners})"
            )
            self.leaks.append(message)
            self.recorder.error("isolation", message, always=True)

    def final_check(self) -> None:
        """At the end: no foreign value (isolation), and the student's own values as expected (integrity).

        Values of actions that timed out are left out of the integrity check: the server may have applied
        them after the student stopped waiting.
        """
        held = [float(x) for x in self.source.data.get("x", ())]
        foreign = [x for x in held if x not in self.allowed]
        if foreign:
            owners = sorted({owner_of(x) for x in foreign}, key=str)
            message = f"session {self.index} ends with foreign value(s) {foreign[:3]} (owners {owners})"
            self.recorder.error("isolation", message, always=True)
        settled_held = sorted(x for x in held if x not in self.unconfirmed and x in self.allowed)
        settled_expected = sorted(x for x in self.expected if x not in self.unconfirmed)
        if settled_held != settled_expected:
            missing = sorted(set(settled_expected) - set(settled_held))
            extra = sorted(set(settled_held) - set(settled_expected))
            message = (
                f"session {self.index} ends with {len(held)} observations, expected {len(self.expected)}: "
                f"missing {missing[:3]}, extra {extra[:3]}"
            )
            self.recorder.error("integrity", message, always=True)

    # --- what a student does ------------------------------------------------------------------------------
    def _new_x(self) -> float:
        start, end = self.figure.x_range.start, self.figure.x_range.end
        x = round(start + (end - start) * self.rng.uniform(0.1, 0.9), 3) + self.tag
        while x in self.allowed:
            x += 1e-3
        return x

    def _text(self) -> str | None:
        return readout_value(self.readout.text)

    async def click(self) -> None:
        x = self._new_x()
        self.allowed.add(x)
        self._pending = {x}
        before = self.readout.text
        y = 0.5 * self.figure.y_range.end  # well above the axis: adds a point, never selects one
        self.session.send_event(ui_event(_tap(), self.figure, sx=400.0, sy=150.0, x=x, y=y, modifiers=_NO_KEYS))
        t0 = await self.session.flush()
        t1 = await self.session.wait_for(lambda: self.readout.text != before and x in self.source.data["x"], TIMEOUT_S)
        self.expected.append(x)
        self.own.append(x)
        self.recorder.time("click", (t1 - t0) * 1e3)

    async def slider(self) -> None:
        start, end, step = self.mu.start, self.mu.end, self.mu.step or 0.01
        current = self.mu.value
        target = current
        while abs(target - current) < 5 * step:
            target = round(start + (end - start) * self.rng.uniform(0.05, 0.95), 6)
        before = self.readout.text
        self.mu.value = target
        t0 = await self.session.flush()
        t1 = await self.session.wait_for(lambda: self.readout.text != before, TIMEOUT_S)
        self.recorder.time("slider", (t1 - t0) * 1e3)

    async def drag(self) -> None:
        shown = {float(x) for x in self.source.data["x"]}
        candidates = [x for x in self.own if x in shown and x not in self.unconfirmed]
        if not candidates:
            return await self.click()
        old = self.rng.choice(candidates)
        new = self._new_x()
        self.allowed.add(new)
        self._pending = {old, new}
        data = {name: list(column) for name, column in self.source.data.items()}
        index = [float(x) for x in data["x"]].index(old)
        data["x"][index] = new
        before = self.readout.text
        self.source.data = data
        t0 = await self.session.flush()
        t1 = await self.session.wait_for(lambda: self.readout.text != before, TIMEOUT_S)
        self.expected[self.expected.index(old)] = new
        self.own[self.own.index(old)] = new
        self.recorder.time("drag", (t1 - t0) * 1e3)

    def _at_mle(self) -> bool:
        held = [float(x) for x in self.source.data["x"]]  # as the server holds them (the Gaussian MLE μ̂ = x̄)
        if not held:
            return True
        mean = math.fsum(held) / len(held)
        return abs(self.mu.value - mean) <= 1e-9 * max(1.0, abs(mean))

    async def optimize(self) -> None:
        if self._at_mle():
            return await self.slider()  # Optimize would change nothing: a student moves a slider first
        before_text, before_mu = self.readout.text, self.mu.value
        self.session.send_event(ui_event(_button_click(), self.optimize_button))
        t0 = await self.session.flush()
        t1 = await self.session.wait_for(
            lambda: self.readout.text != before_text or self.mu.value != before_mu, TIMEOUT_S
        )
        self.recorder.time("optimize", (t1 - t0) * 1e3)
        t2 = await self.session.wait_for(self._at_mle, TIMEOUT_S)
        self.recorder.time("optimize_end", (t2 - t0) * 1e3)

    async def act(self, kind: str) -> None:
        try:
            await getattr(self, kind)()
        except TimeoutError:
            self.recorder.error(kind, f"session {self.index}: no update within {TIMEOUT_S:g} s")
            self.unconfirmed |= self._pending
        except Exception as error:  # a dropped connection, a server error: count it, go on
            self.recorder.error(kind, f"session {self.index}: {type(error).__name__}: {error}")
            self.unconfirmed |= self._pending
            if not self.session.connected:
                raise
        finally:
            self._pending = set()

    async def run(self, until: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, PACE_S[1]))
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.perf_counter() < until:
            started = time.perf_counter()
            await self.act(self.rng.choices(kinds, weights)[0])
            await asyncio.sleep(max(0.0, self.rng.uniform(*PACE_S) - (time.perf_counter() - started)))


_NO_KEYS = {"shift": False, "ctrl": False, "alt": False}


def _tap():
    from bokeh.events import Tap

    return Tap


def _button_click():
    from bokeh.events import ButtonClick

    return ButtonClick


async def _quiet(sessions: list[AppSession], quiet_s: float = 1.0, timeout: float = 30.0) -> None:
    """Return once no session has received an update for ``quiet_s`` seconds (or after ``timeout``)."""
    deadline = time.perf_counter() + timeout
    last, quiet_since = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        count = sum(s.updates for s in sessions)
        if count != last:
            last, quiet_since = count, time.perf_counter()
        elif time.perf_counter() - quiet_since >= quiet_s:
            return
        await asyncio.sleep(0.1)


async def _loop_lag(samples: list[float], stop: asyncio.Event, period: float = 0.05) -> None:
    """Record how late the event loop wakes up (ms): time the client itself added to the round trips."""
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(period)
        samples.append((time.perf_counter() - t0 - period) * 1e3)


@dataclasses.dataclass
class LoadResult:
    rows: list[dict[str, Any]]
    sessions: int
    duration_s: float
    server_cpu: dict[str, float]
    client_cpu_pct: float
    loop_lag_ms: dict[str, float]
    server_errors: list[str]
    open_s: float
    server_rss_mb: float
    updates: int = 0  # update messages (PATCH-DOC) the sessions received while measuring

    @property
    def errors(self) -> int:
        return sum(row["errors"] for row in self.rows) + len(self.server_errors)


async def _drive(
    url: str, server: ServedApp, sessions: int, duration: float, seed: int, warmup: float = WARMUP_S
) -> LoadResult:
    recorder = Recorder()
    rng = random.Random(seed)
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def open_one() -> AppSession:
        async with gate:
            return await AppSession(url).open()

    opened_at = time.perf_counter()
    opened = await asyncio.gather(*(open_one() for _ in range(sessions)))
    open_s = time.perf_counter() - opened_at
    open_times = [1e3 * s.open_s for s in opened]
    students = [Student(i, s, recorder, random.Random(rng.random())) for i, s in enumerate(opened)]

    lag: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.ensure_future(_loop_lag(lag, stop_lag))
    errors_before = len(server.error_lines)
    until = time.perf_counter() + warmup + duration
    tasks = [asyncio.ensure_future(student.run(until)) for student in students]
    await asyncio.sleep(warmup)
    lag.clear()
    recorder.recording = True
    if server.profile_path:
        server.start_profile()
    meter = CpuMeter(server.pid).start()
    updates0 = sum(s.updates for s in opened)
    client_cpu0, client_t0 = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    recorder.recording = False
    cpu = meter.stop()
    if server.profile_path:
        server.stop_profile()
    client_cpu = 100.0 * (time.process_time() - client_cpu0) / (time.perf_counter() - client_t0)
    updates = sum(s.updates for s in opened) - updates0
    rss_mb = _rss_mb(server.pid)
    stop_lag.set()
    await lag_task
    await _quiet(opened)  # let late answers arrive before the final checks
    for student, result in zip(students, results, strict=True):
        if isinstance(result, BaseException):
            recorder.error("connection", f"session {student.index}: {type(result).__name__}: {result}", always=True)
        student.final_check()
    await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)

    rows = [_row("open", open_times, [])]
    for kind in (*WEIGHTS, "optimize_end"):
        rows.append(_row(kind, recorder.times.get(kind, []), recorder.errors.get(kind, [])))
    rows.append(
        {
            "kind": "isolation",
            "label": LABELS["isolation"],
            "count": recorder.checks,
            "median_ms": None,
            "p95_ms": None,
            "max_ms": None,
            "errors": len(recorder.errors.get("isolation", [])),
            "error_examples": recorder.errors.get("isolation", [])[:5],
        }
    )
    for kind in ("integrity", "connection"):
        if recorder.errors.get(kind):
            rows.append(_row(kind, [], recorder.errors[kind]))
    return LoadResult(
        rows=rows,
        sessions=sessions,
        duration_s=duration,
        server_cpu=cpu,
        client_cpu_pct=client_cpu,
        loop_lag_ms=_lag_summary(lag),
        server_errors=server.errors_since(errors_before),
        open_s=open_s,
        server_rss_mb=rss_mb,
        updates=updates,
    )


def _rss_mb(pid: int) -> float:
    from _server import rss_bytes

    return rss_bytes(pid) / 2**20


def _lag_summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"median": math.nan, "p95": math.nan, "max": math.nan}
    return {"median": statistics.median(samples), "p95": _p95(samples), "max": max(samples)}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]


def _row(kind: str, times: list[float], errors: list[str]) -> dict[str, Any]:
    return {
        "kind": kind,
        "label": LABELS.get(kind, kind),
        "count": len(times),
        "median_ms": statistics.median(times) if times else None,
        "p95_ms": _p95(times) if times else None,
        "max_ms": max(times) if times else None,
        "errors": len(errors),
        "error_examples": errors[:5],
    }


def run_detailed(
    sessions: int = SESSIONS,
    duration: float = DURATION_S,
    seed: int = SEED,
    server_args=(),
    log_path=None,
    profile_path=None,
    warmup: float = WARMUP_S,
) -> LoadResult:
    """Serve the app, run the load, and return everything measured (``profile_path``: profile the server)."""
    with ServedApp(server_args, log_path=log_path, profile_path=profile_path, panel_log_level="warning") as server:
        return asyncio.run(_drive(server.url, server, sessions, duration, seed, warmup))


def run(sessions: int = SESSIONS, duration: float = DURATION_S) -> list[dict[str, Any]]:
    """Serve the app, run ``sessions`` students for ``duration`` seconds; return one row per interaction kind.

    Each row: ``kind``, ``label``, ``count``, ``median_ms``, ``p95_ms``, ``max_ms``, ``errors``,
    ``error_examples``. The ``isolation`` row counts checks and leaks; server-side errors (log lines)
    are in ``run_detailed(...).server_errors``.
    """
    return run_detailed(sessions, duration).rows


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| interaction | count | median ms | p95 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['count']:,} | {_ms(row['median_ms'])} | {_ms(row['p95_ms'])} "
            f"| {_ms(row['max_ms'])} | {row['errors']} |"
        )
    return "\n".join(lines)


def verdict(result: LoadResult) -> list[str]:
    timed = [row for row in result.rows if row["kind"] in TARGET_KINDS and row["count"]]
    worst = max(timed, key=lambda row: row["p95_ms"]) if timed else None
    leaks = next(row["errors"] for row in result.rows if row["kind"] == "isolation")
    p95_ok = worst is not None and worst["p95_ms"] <= TARGET_P95_MS
    return [
        f"- p95 ≤ {TARGET_P95_MS:g} ms for every action: {'met' if p95_ok else 'NOT met'}"
        + (f" (worst: {worst['label']}, {worst['p95_ms']:.1f} ms)" if worst else ""),
        f"- zero errors: {'met' if result.errors == 0 else f'NOT met ({result.errors})'}",
        f"- no cross-session data: {'met' if leaks == 0 else f'NOT met ({leaks} leaks)'}",
    ]


def report(result: LoadResult) -> str:
    cpu = result.server_cpu
    lag = result.loop_lag_ms
    actions = sum(row["count"] for row in result.rows if row["kind"] in TARGET_KINDS)
    lines = [
        markdown_table(result.rows),
        "",
        f"- {result.sessions} sessions (opened in {result.open_s:.1f} s, {OPEN_CONCURRENCY} at a time), "
        f"{result.duration_s:g} s measured after {WARMUP_S:g} s of warm-up; each student acts every "
        f"{PACE_S[0]:g}–{PACE_S[1]:g} s and waits for the answer",
        f"- server (`panel serve`, one process): {cpu['process_cpu_pct']:.0f}% of one core on average "
        f"({cpu['process_cpu_s']:.1f} CPU s in {cpu['wall_s']:.1f} s, {actions / cpu['wall_s']:.1f} actions/s: "
        f"{1e3 * cpu['process_cpu_s'] / max(actions, 1):.0f} ms of server CPU per action, Optimize's frames "
        f"included); RSS {result.server_rss_mb:.0f} MB at the end",
        f"- the sessions received {result.updates:,} update messages while measuring, "
        f"{result.updates / max(actions, 1):.1f} per action of their own",
        f"- load generator (this process): {result.client_cpu_pct:.0f}% of one core; its event loop woke late by "
        f"{lag['median']:.1f} ms median, {lag['p95']:.1f} ms p95, {lag['max']:.1f} ms max (part of every round trip)",
        f"- machine: {os.cpu_count()} CPUs, {cpu['machine_cpu_pct']:.0f}% busy overall during the run; load average "
        f"{cpu['load_avg_start']:.1f} at start, {cpu['load_avg_end']:.1f} at end",
    ]
    lines += verdict(result)
    order = {"isolation": 0, "integrity": 1}
    examples = [e for row in sorted(result.rows, key=lambda r: order.get(r["kind"], 2)) for e in row["error_examples"]]
    if examples or result.server_errors:
        lines += ["", "Errors (first few):"]
        lines += [f"- {e}" for e in examples[:10]]
        lines += [f"- server log: {e}" for e in result.server_errors[:10]]
    return "\n".join(lines)


def versions() -> str:
    return (
        f"Python {platform.python_version()}, panel {version('panel')}, bokeh {version('bokeh')}, "
        f"tornado {version('tornado')}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )


async def _costs(url: str, pid: int, repeats: int, seed: int) -> list[dict[str, Any]]:
    """Server CPU per action with one session alone: ``repeats`` of each kind in a row (and per session opened)."""
    from _server import cpu_seconds

    rows = []
    cpu0 = cpu_seconds(pid)
    opened = []
    for _ in range(3):
        opened.append(await AppSession(url).open())
    rows.append(
        {
            "kind": "open",
            "cpu_ms": 1e3 * (cpu_seconds(pid) - cpu0) / len(opened),
            "median_ms": 1e3 * statistics.median(s.open_s for s in opened),
        }
    )
    for extra in opened[1:]:
        await extra.close()
    recorder = Recorder(recording=True)
    student = Student(0, opened[0], recorder, random.Random(seed))
    for kind in WEIGHTS:
        await student.act(kind)  # once untimed: first calls may import or fill caches
        recorder.times.clear()
        cpu0 = cpu_seconds(pid)
        for _ in range(repeats):
            await student.act(kind)
        cpu = cpu_seconds(pid) - cpu0
        times = recorder.times.get(kind, [])
        rows.append(
            {"kind": kind, "cpu_ms": 1e3 * cpu / repeats, "median_ms": statistics.median(times) if times else None}
        )
    await opened[0].close()
    errors = [e for errors in recorder.errors.values() for e in errors]
    if errors:
        rows.append({"kind": "errors", "cpu_ms": None, "median_ms": None, "errors": errors})
    return rows


def measure_costs(repeats: int = 8, seed: int = SEED) -> list[dict[str, Any]]:
    """Serve the app and measure the server's CPU per action kind, one session at a time (see ``_costs``)."""
    with ServedApp(panel_log_level="warning") as server:
        return asyncio.run(_costs(server.url, server.pid, repeats, seed))


def costs_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| action (one session alone) | server CPU ms per action | round trip median ms |", "|---|---:|---:|"]
    for row in rows:
        if row["kind"] == "errors":
            lines.append(f"| errors: {'; '.join(row['errors'][:3])} | | |")
            continue
        label = LABELS[row["kind"]].split(" (")[0] if row["kind"] == "open" else LABELS[row["kind"]]
        lines.append(f"| {label} | {row['cpu_ms']:.0f} | {_ms(row['median_ms'])} |")
    return "\n".join(lines)


def profile_summary(path: str, limit: int = 25) -> str:
    """The server's functions with the most cumulative and own time, from its cProfile output."""
    import io
    import pstats

    out = io.StringIO()
    gc_path = Path(f"{path}.gc.json")
    if gc_path.exists():
        import json

        gc_stats = json.loads(gc_path.read_text())
        pauses = ", ".join(
            f"generation {g}: {n} collections, {1e3 * t:.0f} ms" for g, (n, t) in gc_stats["pauses"].items()
        )
        out.write(f"Server garbage collector while measuring: {pauses}; {gc_stats['objects']:,} objects tracked\n\n")
    stats = pstats.Stats(path, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS, help=f"concurrent sessions (default {SESSIONS})")
    parser.add_argument("--duration", type=float, default=DURATION_S, help=f"seconds measured (default {DURATION_S:g})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--log", help="write the server's log to this file")
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for panel serve")
    parser.add_argument(
        "--costs", action="store_true", help="first measure the server CPU per action with one session alone"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="profile the server (cProfile) while measuring; print its top functions"
    )
    args = parser.parse_args(argv)
    print(f"$ python {' '.join(sys.argv)}")
    print(versions())
    print(app_version())
    print()
    if args.costs:
        print(costs_table(measure_costs(seed=args.seed)))
        print()
    result = run_detailed(args.sessions, args.duration, args.seed, args.server_arg, args.log, args.profile)
    print(report(result))
    if args.profile:
        print()
        print(profile_summary(args.profile))
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
