"""The two ways of starting the app that the README promises actually serve it."""

import shutil
import socket
import subprocess
import sys
import time
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


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (["mle-explorer", "--no-browser", "--address", "127.0.0.1"], "/"),
        ([sys.executable, "-m", "panel", "serve", "app/main.py", "--address", "127.0.0.1"], "/main"),
    ],
    ids=["console-script", "panel-serve"],
)
def test_entry_point_serves_the_app(command, path):
    # The console script sits beside the interpreter; PATH may not list that folder (pyenv shims).
    scripts = str(Path(sys.executable).parent)
    executable = shutil.which(command[0], path=scripts) or shutil.which(command[0])
    assert executable, f"{command[0]} is not installed: pip install the project first"
    command = [executable, *command[1:]]
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        html = wait_for_page(f"http://127.0.0.1:{port}{path}", process)
        assert "MLE Explorer" in html
    finally:
        process.terminate()
        process.wait(timeout=20)
