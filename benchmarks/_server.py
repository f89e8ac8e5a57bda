"""Shared by ``load_test.py`` and ``soak_test.py``: serve the app, watch the server, drive sessions.

- ``ServedApp`` runs ``panel serve app/main.py`` in a subprocess on 127.0.0.1 (a free port) and reads its
  log: sessions launched and destroyed (Panel's own log lines), errors and tracebacks.
- ``cpu_seconds`` / ``rss_bytes`` read a process's CPU time and resident memory from ``/proc``.
- ``AppSession`` is one simulated browser tab: it opens a session over the server's websocket with
  Bokeh's own protocol classes (the messages ``bokeh.client`` sends: ACK, PULL-DOC, PATCH-DOC), keeps a
  Python copy of the session's Bokeh document in sync, and changes the same models, and sends the same
  UI events (Tap, ButtonClick, DocumentReady), that BokehJS does in a browser.

Why not ``bokeh.client.pull_session`` itself: its ``ClientSession`` is synchronous. Every call runs the
session's own IOLoop until a condition holds and only reads the socket while it runs, with no timeout (a
wait for an update that never comes blocks forever), so N sessions need N threads each spinning a loop.
Its protocol layer is reusable as is, so here all sessions share one asyncio loop in one thread. Two
gaps of the Python side of the protocol are bridged (both checked in bokeh 3.9.2's source):

- a ``ColumnDataChanged`` patch that names ``cols`` (Panel sends one when only some columns change, e.g.
  the densities after a slider move) replaces the whole ``data`` in Python, where BokehJS updates only
  those columns: ``apply_patch`` merges them as BokehJS does;
- ``Tap`` and the other point events serialize only their model from Python (they normally travel from
  BokehJS to Python): ``ui_event`` sends their coordinates too, as BokehJS does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import html
import importlib
import os
import pkgutil
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app" / "main.py"
#: How long to wait for the server to answer, and for a session to open.
START_TIMEOUT_S = 60.0
OPEN_TIMEOUT_S = 60.0

_SESSION_LAUNCHING = re.compile(r"Session (\d+) launching")
_SESSION_DESTROYED = re.compile(r"Session (\d+) destroyed")
_ERROR = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)")


# --- /proc -----------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system, in seconds) that process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Return the resident memory of process ``pid`` (``VmRSS`` in ``/proc/<pid>/status``) in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def machine_cpu_times() -> tuple[float, float]:
    """Return (busy, total) CPU jiffies of the whole machine, from ``/proc/stat``."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU use of a process, and of the whole machine, between ``start()`` and ``stop()``."""

    def __init__(self, pid: int):
        self.pid = pid

    def start(self) -> CpuMeter:
        self._t0, self._cpu0, self._machine0 = time.monotonic(), cpu_seconds(self.pid), machine_cpu_times()
        self._load0 = os.getloadavg()[0]
        return self

    def stop(self) -> dict[str, float]:
        """Return the process's CPU use in % of one core, the machine's in % of all cores, and load averages."""
        wall = time.monotonic() - self._t0
        busy0, total0 = self._machine0
        busy1, total1 = machine_cpu_times()
        return {
            "wall_s": wall,
            "process_cpu_s": cpu_seconds(self.pid) - self._cpu0,
            "process_cpu_pct": 100.0 * (cpu_seconds(self.pid) - self._cpu0) / wall,
            "machine_cpu_pct": 100.0 * (busy1 - busy0) / max(total1 - total0, 1),
            "load_avg_start": self._load0,
            "load_avg_end": os.getloadavg()[0],
        }


# --- waiting ---------------------------------------------------------------------------------------
def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: Any = "") -> Any:
    """Poll ``predicate`` until it returns a truthy value (returned); raise ``TimeoutError`` after ``timeout`` s.

    ``what`` (a string, or a function returning one) names the condition in the error.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            what = what() if callable(what) else what
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what or predicate}")
        time.sleep(interval)  # the polling interval, not a wait for an event


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the server's process, before it starts: kill it if the process that started it dies (Linux).

    Without this a killed benchmark or test run (e.g. by a timeout) would leave ``panel serve`` running.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# --- the server --------------------------------------------------------------------------------------
class ServedApp:
    """``panel serve app/main.py`` in a subprocess on 127.0.0.1; use as a context manager.

    ``extra_args`` are passed to ``panel serve`` (e.g. ``--check-unused-sessions``), ``environment`` is added
    to its environment (e.g. ``PYTHONMALLOC``). The server's output
    (Bokeh's log at INFO, Panel's at ``panel_log_level``) is kept in ``lines`` and written to ``log_path`` if
    given; the session counts come from Panel's "Session … launching / destroyed" lines, logged at INFO (which
    also logs two lines per periodic callback run: too costly for a load test). With ``profile_path``,
    ``start_profile()`` and ``stop_profile()`` profile the server's main thread (its event loop, where
    every session's callbacks run) with ``cProfile`` between the two calls and write the statistics there.
    """

    def __init__(
        self,
        extra_args: Iterable[str] = (),
        log_path: str | os.PathLike | None = None,
        profile_path: str | os.PathLike | None = None,
        panel_log_level: str = "info",
        environment: dict[str, str] | None = None,
        app: str | os.PathLike = APP,
    ):
        self.app = Path(app).resolve()
        self.profile_path = profile_path
        self.environment = dict(environment or {})
        self.panel_log_level = panel_log_level
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/{self.app.stem}"
        self.extra_args = list(extra_args)
        self.log_path = log_path
        self.lines: list[str] = []
        self.launched = 0
        self.destroyed = 0
        self.error_lines: list[str] = []
        self._lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def command(self) -> list[str]:
        profile = ["--setup", str(self._profile_setup)] if self.profile_path else []
        return [
            sys.executable,
            "-m",
            "panel",
            "serve",
            str(self.app.relative_to(ROOT)),
            "--address",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--allow-websocket-origin",
            f"127.0.0.1:{self.port}",
            "--liveness",
            "--log-level",
            "info",
            *profile,
            *self.extra_args,
        ]

    def __enter__(self) -> ServedApp:
        env = dict(os.environ)
        # Run from the checkout whether or not the package is installed; Panel logs sessions at INFO.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["PANEL_LOG_LEVEL"] = self.panel_log_level
        env.update(self.environment)
        if self.profile_path:
            self._profile_setup = Path(tempfile.mkstemp(prefix="mle_profile_", suffix=".py")[1])
            self._profile_setup.write_text(_PROFILE_SETUP, encoding="utf-8")
            env["MLE_PROFILE_PATH"] = str(Path(self.profile_path).resolve())
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._reader = threading.Thread(target=self._read_log, name="server-log", daemon=True)
        self._reader.start()
        try:
            wait_until(self._is_live, timeout=START_TIMEOUT_S, interval=0.1, what="the server's /liveness")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # panel serve stops cleanly on Ctrl+C
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        if self.profile_path:
            self._profile_setup.unlink(missing_ok=True)
        if self.log_path:
            Path(self.log_path).write_text("".join(self.lines), encoding="utf-8")

    def start_profile(self) -> None:
        self.process.send_signal(signal.SIGUSR1)

    def stop_profile(self) -> None:
        """Stop profiling; return once the server has written the statistics."""
        path = Path(self.profile_path)
        path.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR2)
        wait_until(path.exists, timeout=60, what=f"the server to write {path}")

    def _is_live(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"panel serve exited with {self.process.returncode}:\n{''.join(self.lines[-30:])}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/liveness", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def _read_log(self) -> None:
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line)
                if _SESSION_LAUNCHING.search(line):
                    self.launched += 1
                elif _SESSION_DESTROYED.search(line):
                    self.destroyed += 1
                if _ERROR.search(line):
                    self.error_lines.append(line.rstrip())

    @property
    def live_sessions(self) -> int:
        """Sessions the server has launched and not yet destroyed (from its log)."""
        with self._lock:
            return self.launched - self.destroyed

    def errors_since(self, start: int) -> list[str]:
        """The server's error lines after the first ``start`` of them."""
        with self._lock:
            return self.error_lines[start:]

    def log_excerpt(self, pattern: str, limit: int = 20) -> list[str]:
        with self._lock:
            return [line.rstrip() for line in self.lines if re.search(pattern, line)][:limit]


#: Run by ``panel serve --setup`` in the server's process: SIGUSR1 starts cProfile and a tally of the garbage
#: collector's pauses, SIGUSR2 stops both and writes the statistics to $MLE_PROFILE_PATH (written beside, then
#: renamed) and the pauses to $MLE_PROFILE_PATH.gc.json.
_PROFILE_SETUP = """
import cProfile
import gc
import json
import os
import signal
import time

_profile = cProfile.Profile()
_gc = {"on": False, "start": 0.0, "pauses": {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}}


def _on_gc(phase, info):
    if not _gc["on"]:
        return
    if phase == "start":
        _gc["start"] = time.perf_counter()
    else:
        tally = _gc["pauses"][info["generation"]]
        tally[0] += 1
        tally[1] += time.perf_counter() - _gc["start"]


def _start(signum, frame):
    _gc["pauses"] = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
    _gc["on"] = True
    _profile.enable()


def _stop(signum, frame):
    _profile.disable()
    _gc["on"] = False
    path = os.environ["MLE_PROFILE_PATH"]
    with open(path + ".gc.json", "w") as out:
        json.dump({"objects": len(gc.get_objects()), "pauses": _gc["pauses"]}, out)
    _profile.dump_stats(path + ".part")
    os.replace(path + ".part", path)


gc.callbacks.append(_on_gc)
signal.signal(signal.SIGUSR1, _start)
signal.signal(signal.SIGUSR2, _stop)
"""


# --- the client ---------------------------------------------------------------------------------------
_app_modules_imported = False


def register_models_of(content) -> None:
    """Define, in this process, every Bokeh model class that a message from the server (its decoded JSON
    ``content``) names, so that it can be read.

    Panel's models are imported lazily, and the app's own components (``JSComponent`` / ``ReactiveHTML``
    subclasses) define their Bokeh models when their module is imported: the app's modules (not ``app.main``,
    which builds a page) are imported once, and of ``panel.models`` only the modules the message names. Importing
    them all would define models the app never uses, whose scripts Panel then lists in every page this process
    serves afterwards (Vizzu's, from a CDN: the browser tests that run after the load test asked for it).
    """
    global _app_modules_imported
    if not _app_modules_imported:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import mle_explorer

        for module in pkgutil.iter_modules(mle_explorer.__path__):
            if module.name != "main":
                importlib.import_module(f"mle_explorer.{module.name}")
        skip_eager_trace_formatting()
        _app_modules_imported = True
    names: set[str] = set()
    pending = [content]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") == "object" and isinstance(node.get("name"), str):
                names.add(node["name"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    for name in sorted(names):
        module = name.rpartition(".")[0]
        if module.startswith("panel.models.") and module not in sys.modules:
            importlib.import_module(module)


def skip_eager_trace_formatting() -> None:
    """Stop Bokeh formatting every incoming property value for a trace log line nobody reads (this process only).

    ``HasProps.set_from_json`` (bokeh 3.9.2) builds ``f"Patching attribute ... with {value!r}"`` before
    ``log.trace`` decides to drop it. For the arrays of a ``ColumnDataSource`` that ``repr`` was a third
    of this load generator's CPU (cProfile of a 20-session run: 15.9 s of numpy array printing), CPU that
    the machine's two cores then lacked for the server. Browsers do not pay it, so neither should the
    simulated ones. The server is untouched: it receives lists (a drag), not arrays, and is measured as is.
    """
    from bokeh.core.has_props import HasProps

    if getattr(HasProps.set_from_json, "_without_trace", False):
        return

    def set_from_json(self, name, value, *, setter=None):
        if name in self.properties(_with_props=True):
            self.lookup(name).set_from_json(self, value, setter=setter)
        else:
            HasProps_set_from_json(self, name, value, setter=setter)  # Bokeh's own warning

    HasProps_set_from_json = HasProps.set_from_json
    set_from_json._without_trace = True
    HasProps.set_from_json = set_from_json


def apply_patch(document, message, setter) -> None:
    """Apply a PATCH-DOC ``message`` to ``document`` as BokehJS does (see the module's docstring)."""
    from bokeh.core.serialization import Deserializer, UnknownReferenceError
    from bokeh.document.events import DocumentPatchedEvent

    deserializer = Deserializer(list(document.models), setter=setter)
    try:
        patch = deserializer.deserialize(message.payload)
    except UnknownReferenceError as error:
        if document.models.seen(error.id):
            return  # a model the server removed while this patch was on its way (Bokeh drops these too)
        raise
    for event in patch["events"]:
        if event.get("kind") == "ColumnDataChanged" and event.get("cols") is not None:
            model = event["model"]
            event["data"] = {**model.data, **{name: event["data"][name] for name in event["cols"]}}
        DocumentPatchedEvent.handle_event(document, event, setter)
    document.models.flush_synced(lambda model: not deserializer.has_ref(model))


def ui_event(event_class, model, **values):
    """Return a Bokeh UI event that serializes ``values`` (e.g. x, y, sx, sy of a Tap) as BokehJS sends them."""
    event = event_class(model, **values) if values else event_class(model)
    if values:
        full = {"model": model, **values}
        event.event_values = lambda: full  # this instance only: Python's PointEvent sends just the model
    return event


class AppSession:
    """One simulated browser tab: a server session over a websocket, with a synced copy of its document.

    ``await open()`` connects (the server runs the app for a new session, or takes the one its page was
    rendered with: ``token``, see ``open_page``), pulls the document and sends ``DocumentReady`` as BokehJS does
    once the page is rendered (Panel runs its ``onload`` callbacks then). With ``mirror=False`` the pulled
    document is received but not rebuilt in Python, and later updates are only counted: a page open that costs
    this process little (the client shares the machine with the server). Change models of ``document`` (or
    ``send_event``) and ``await flush()`` to send the changes in one PATCH-DOC message; ``flush`` returns the time
    it started sending. ``await wait_for(predicate)`` returns the time of the first server update after which
    ``predicate()`` holds. ``on_update`` is called after every server update (e.g. for isolation checks).
    """

    def __init__(self, url: str, token: str | None = None, mirror: bool = True):
        from bokeh.client.util import websocket_url_for_server_url
        from bokeh.util.token import generate_jwt_token, generate_session_id, get_session_id

        self.id = generate_session_id() if token is None else get_session_id(token)
        self._token = generate_jwt_token(self.id) if token is None else token
        self._ws_url = websocket_url_for_server_url(url)
        self.mirror = mirror
        #: Bytes of the document the server sent (the PULL-DOC-REPLY's fragments).
        self.document_bytes = 0
        self._received_bytes = 0
        self.document = None
        self.connected = False
        self.closed_reason: str | None = None
        self.updates = 0
        self.on_update: Callable[[], None] | None = None
        self._outbox: list = []
        self._waiters: list[tuple[Callable[[], Any], asyncio.Future]] = []
        self._reader: asyncio.Task | None = None

    async def open(self, timeout: float | None = None) -> AppSession:
        """Open the session (``OPEN_TIMEOUT_S`` by default); ``open_s`` is how long it took."""
        started = time.perf_counter()
        await asyncio.wait_for(self._open(), timeout or OPEN_TIMEOUT_S)
        self.open_s = time.perf_counter() - started
        return self

    async def _open(self) -> None:
        from bokeh.client.websocket import WebSocketClientConnectionWrapper
        from bokeh.document import Document
        from bokeh.events import DocumentReady
        from bokeh.protocol import Protocol
        from bokeh.protocol.receiver import Receiver
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        self._protocol = Protocol()
        self._receiver = Receiver(self._protocol)
        request = HTTPRequest(self._ws_url, connect_timeout=OPEN_TIMEOUT_S, request_timeout=OPEN_TIMEOUT_S)
        raw = await websocket_connect(request, subprotocols=["bokeh", self._token])
        raw.protocol.set_nodelay(True)  # as browsers do: no Nagle delay on small messages
        self._socket = WebSocketClientConnectionWrapper(raw)
        ack = await self._next_message()
        if ack is None or ack.msgtype != "ACK":
            raise ConnectionError(f"expected ACK from the server, got {ack!r}")
        request = self._protocol.create("PULL-DOC-REQ")
        await request.send(self._socket)
        self._received_bytes = 0
        while True:
            reply = await self._next_message()
            if reply is None:
                raise ConnectionError("the server closed the connection before sending the document")
            if reply.header.get("reqid") == request.header["msgid"]:
                break
        if reply.msgtype != "PULL-DOC-REPLY":
            raise ConnectionError(f"pulling the document failed: {reply.content}")
        self.document_bytes = self._received_bytes
        document = Document()
        if self.mirror:
            register_models_of(reply.content)
            reply.push_to_document(document)
            # Every pulled model is known to the server: refer to it by id (a browser does), not in full.
            document.models.flush_synced()
        self.document = document
        document.callbacks.on_change_dispatch_to(self)
        self.connected = True
        self._reader = asyncio.ensure_future(self._read())
        self.send_event(DocumentReady())
        await self.flush()

    async def _next_message(self):
        while True:
            fragment = await self._socket.read_message()
            if fragment is None:
                return None
            self._received_bytes += len(fragment)
            message = await self._receiver.consume(fragment)
            if message is not None:
                return message

    async def _read(self) -> None:
        try:
            while True:
                message = await self._next_message()
                if message is None:
                    break
                if message.msgtype == "PATCH-DOC":
                    if self.mirror:
                        register_models_of(message.content)
                        apply_patch(self.document, message, self)
                    self.updates += 1
                    if self.on_update is not None:
                        self.on_update()
                    self._check_waiters()
                elif message.msgtype == "ERROR":
                    self._fail_waiters(RuntimeError(f"server error: {message.content.get('text')}"))
        except Exception as error:  # a broken message: end the session, and say why
            self.closed_reason = f"{type(error).__name__}: {error}"
        finally:
            self.connected = False
            self.closed_reason = self.closed_reason or "connection closed by the server"
            self._fail_waiters(ConnectionError(self.closed_reason))

    # Called by the document for every local change (and for echoes of the server's, skipped here).
    def _document_patched(self, event) -> None:
        if event.setter is self:
            return
        self._outbox.append(event)

    def send_event(self, event) -> None:
        """Queue a UI event (sent with the next ``flush``)."""
        self.document.callbacks.send_event(event)

    async def flush(self) -> float:
        """Send the queued changes as one PATCH-DOC message; return ``time.perf_counter()`` at the start."""
        started = time.perf_counter()
        events, self._outbox = self._outbox, []
        if events:
            if not self.connected:
                raise ConnectionError(self.closed_reason or "not connected")
            await self._protocol.create("PATCH-DOC", events).send(self._socket)
        return started

    async def wait_for(self, predicate: Callable[[], Any], timeout: float) -> float:
        """Return ``time.perf_counter()`` when a server update makes ``predicate()`` true (now if it is)."""
        if predicate():
            return time.perf_counter()
        if not self.connected:
            raise ConnectionError(self.closed_reason or "not connected")
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def _check_waiters(self) -> None:
        now = time.perf_counter()
        for predicate, future in list(self._waiters):
            if not future.done() and predicate():
                future.set_result(now)

    def _fail_waiters(self, error: Exception) -> None:
        for _, future in list(self._waiters):
            if not future.done():
                future.set_exception(error)

    async def close(self) -> None:
        """Close the websocket, as closing the tab does."""
        if self._reader is not None:
            self._socket.close(1000, "closed")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 10)
        self.connected = False

    # --- the models a student touches (found by what they are, not by id) ---------------------------------
    def find(self, predicate: Callable[[Any], bool], what: str):
        for model in self.document.models:
            if predicate(model):
                return model
        raise LookupError(f"no {what} in the session's document")

    def readout(self):
        """The model showing the log-likelihood (a Bokeh ``Div`` or Panel's ``HTML``, whose text is escaped)."""
        return self.find(lambda m: 'data-testid="log-likelihood"' in html.unescape(_text(m)), "log-likelihood readout")

    def slider(self, symbol: str):
        from bokeh.models import Slider

        return self.find(lambda m: isinstance(m, Slider) and (m.title or "").startswith(symbol), f"{symbol} slider")

    def button(self, label_start: str):
        from bokeh.models import AbstractButton

        return self.find(
            lambda m: isinstance(m, AbstractButton) and str(m.label).startswith(label_start), f"{label_start} button"
        )

    def observations(self):
        """The plot's observations source: dragged by a PointDrawTool, and holding the example data at first.

        (Other views may have draggable points too, e.g. a dot on a likelihood slice.)
        """
        from bokeh.models import PointDrawTool

        sources = [
            renderer.data_source
            for tool in self.document.models
            if isinstance(tool, PointDrawTool)
            for renderer in tool.renderers
            if "x" in renderer.data_source.data
        ]
        if not sources:
            raise LookupError("no PointDrawTool on an observations source in the session's document")
        example = sorted(_example_observations())
        return next((s for s in sources if sorted(map(float, s.data["x"])) == example), sources[0])

    def figure(self):
        """The plot that draws the observations (clicks on it add observations)."""
        from bokeh.models import GlyphRenderer, Plot

        source = self.observations()
        return self.find(
            lambda m: (
                isinstance(m, Plot)
                and any(isinstance(r, GlyphRenderer) and r.data_source is source for r in m.renderers)
            ),
            "figure with the observations",
        )


#: The session token a served page hands to BokehJS (in its ``render_items``), with which the page's websocket
#: attaches to the session the server built for that page.
_PAGE_TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')


async def open_page(url: str, http_client, mirror: bool = True, timeout: float | None = None) -> AppSession:
    """Open the app as a browser does: GET the page (the server builds the session and renders the page's HTML),
    then open the page's websocket with the token the page carries, pull the document and send ``DocumentReady``.

    ``http_client`` is a Tornado ``AsyncHTTPClient`` (with ``max_clients`` at least the number of pages opened at
    once: its default of 10 would queue the rest). The session's ``page_s`` is the time to the page's HTML,
    ``page_bytes`` its size, ``open_s`` the time to the document received and ``DocumentReady`` sent. The page's
    scripts and stylesheets are left out: static files, which a browser caches after the first student.
    """
    timeout = timeout or OPEN_TIMEOUT_S
    started = time.perf_counter()
    response = await http_client.fetch(url, connect_timeout=timeout, request_timeout=timeout)
    page_s = time.perf_counter() - started
    match = _PAGE_TOKEN.search(response.body.decode("utf-8", errors="replace"))
    if match is None:
        raise ConnectionError(f"the page at {url} carries no session token")
    session = AppSession(url, token=match.group(1), mirror=mirror)
    await asyncio.wait_for(session._open(), max(timeout - page_s, 1.0))
    session.open_s = time.perf_counter() - started
    session.page_s, session.page_bytes = page_s, len(response.body)
    return session


def _example_observations() -> list[float]:
    try:
        from mle_explorer.state import EXAMPLE_OBSERVATIONS
    except ImportError:
        return []
    return [float(x) for x in EXAMPLE_OBSERVATIONS]


_LOG_LIKELIHOOD = re.compile(r'data-testid="log-likelihood"[^>]*>([^<]*)<')


def _text(model) -> str:
    text = getattr(model, "text", None)  # a Bokeh model without such a property raises AttributeError
    return text if isinstance(text, str) else ""


def readout_value(text: str) -> str | None:
    """The log-likelihood the readout's HTML shows (as text, escaped or not), or None."""
    match = _LOG_LIKELIHOOD.search(html.unescape(text or ""))
    return match.group(1) if match else None


def app_version(paths: tuple[str, ...] = ("app", "mle_core")) -> str:
    """The commit the app was measured at, and whether ``paths`` (of the checkout) had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "app: commit unknown"
    changed = ", ".join(f"{path}/" for path in paths)
    return f"app at commit {commit}" + (f" (with uncommitted changes in {changed})" if dirty else "")
