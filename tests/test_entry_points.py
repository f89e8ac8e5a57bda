"""The two ways of starting the app that the README promises actually serve it."""

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_page(url: str, process: subprocess.Popen, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)  # polling for liveness, not waiting for a result
    raise AssertionError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def serving(command: list[str]):
    """Run ``command`` (a server, given ``--port``) on a free port; yield the port while it runs, then stop it."""
    # The console script sits beside the interpreter; PATH may not list that folder (pyenv shims).
    scripts = str(Path(sys.executable).parent)
    executable = shutil.which(command[0], path=scripts) or shutil.which(command[0])
    assert executable, f"{command[0]} is not installed: pip install the project first"
    port = free_port()
    process = subprocess.Popen(
        [executable, *command[1:], "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def console_script():
    """The app served by the console script, ``mle-explorer``, on 127.0.0.1 (one server for this module's tests);
    yields its URL and process."""
    with serving(["mle-explorer", "--no-browser", "--address", "127.0.0.1"]) as (port, process):
        yield f"http://127.0.0.1:{port}/", process


def test_the_console_script_serves_the_app(console_script):
    url, process = console_script
    assert "MLE Explorer" in wait_for_page(url, process)


def test_panel_serve_serves_the_app():
    command = [sys.executable, "-m", "panel", "serve", "app/main.py", "--address", "127.0.0.1"]
    with serving(command) as (port, process):
        assert "MLE Explorer" in wait_for_page(f"http://127.0.0.1:{port}/main", process)


# --- the server's defaults (mle_explorer.cli): address, origins and limits -----------------------------------------
@pytest.fixture
def served(monkeypatch):
    """Call ``mle_explorer.cli.main`` with ``pn.serve`` replaced; return a function giving the keyword arguments it
    got."""
    import panel as pn

    import mle_explorer.explorer

    calls = []
    monkeypatch.setattr(pn, "serve", lambda apps, **kwargs: calls.append((apps, kwargs)))

    def serve(*argv: str) -> dict:
        from mle_explorer import cli

        cli.main(list(argv))
        (apps, kwargs) = calls.pop()
        assert apps == {"/": mle_explorer.explorer.create_app}
        return kwargs

    return serve


def test_the_console_script_serves_on_localhost_with_explicit_limits(served):
    from mle_explorer import cli
    from mle_explorer.data_io import UPLOAD_CHUNK_BYTES

    kwargs = served()
    assert kwargs["address"] == "localhost"
    assert kwargs["port"] == 5006
    assert kwargs["websocket_origin"] == ["localhost:5006", "127.0.0.1:5006"]  # only pages this server serves
    assert kwargs["websocket_max_message_size"] == cli.WEBSOCKET_MAX_MESSAGE_BYTES == 4 * 1024 * 1024
    # One piece of an upload (bytes, perhaps base64-encoded) fits with room to spare; Bokeh's default is 20 MB.
    assert 2 * UPLOAD_CHUNK_BYTES < kwargs["websocket_max_message_size"] < 20 * 1024 * 1024
    assert kwargs["http_server_kwargs"] == {"max_header_size": 512 * 1024, "max_body_size": 1024 * 1024}
    assert kwargs["unused_session_lifetime_milliseconds"] == 15_000
    assert kwargs["check_unused_sessions_milliseconds"] == 17_000
    assert kwargs["num_procs"] == 1
    assert kwargs["show"] is True
    assert kwargs["title"] == "MLE Explorer"


def test_the_console_script_passes_address_origins_and_processes_through(served):
    kwargs = served(
        "--address", "0.0.0.0", "--port", "8000", "--allow-websocket-origin", "192.168.1.10:8000",
        "--allow-websocket-origin", "mle.school.example", "--num-procs", "4", "--no-browser",
    )  # fmt: skip
    assert kwargs["address"] == "0.0.0.0"
    assert kwargs["port"] == 8000
    assert kwargs["websocket_origin"] == [
        "0.0.0.0:8000", "localhost:8000", "127.0.0.1:8000", "192.168.1.10:8000", "mle.school.example",
    ]  # fmt: skip
    assert kwargs["num_procs"] == 4
    assert kwargs["show"] is False


def test_a_long_link_reaches_the_app_and_a_long_body_is_refused(console_script):
    """The served limits are real: a 100 kB link gets the page (the app then says the link is too long),
    where Tornado's default 64 kB head limit dropped the connection; a 2 MB request body is refused."""
    url, process = console_script
    wait_for_page(url, process)
    html = wait_for_page(url + "?x=" + "1," * 50_000, process)
    assert "MLE Explorer" in html
    request = urllib.request.Request(url, data=b"1" * (2 * 1024 * 1024), method="POST")
    with pytest.raises(urllib.error.URLError) as refused:  # HTTPError is a URLError
        urllib.request.urlopen(request, timeout=10)
    # Over the body limit: 400 (a small body gets 405: no handler takes one), or the connection is closed
    # while the rest of the body is still being sent.
    error = refused.value
    assert getattr(error, "code", None) == 400 or isinstance(error.reason, ConnectionError), error
