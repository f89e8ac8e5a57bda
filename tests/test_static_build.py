"""The static (Pyodide) site: the build's output, and the app's fitness to run in a browser worker.

The page itself cannot be opened here: Pyodide and its packages come from a CDN these machines cannot
reach. So these tests check what can be checked offline: the build writes a complete site whose requirement
list is exactly ours, the wheel it packs imports on its own, ``index.html`` is served at a root and under a
sub-path, and the app builds its whole UI with no server, threads, subprocesses, file writes or network.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import importlib.machinery
import importlib.util
import json
import re
import subprocess
import sys
import threading
import time
import types
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from mle_explorer import pyodide_support
from mle_explorer.pyodide_support import ensure_package, package_available

ROOT = Path(__file__).resolve().parents[1]
BUILD_SCRIPT = ROOT / "tools" / "build_static.py"


@functools.cache
def load_build_module() -> types.ModuleType:
    """``tools/build_static.py`` as a module (``tools`` is not a package)."""
    spec = importlib.util.spec_from_file_location("build_static", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------------------
# The build, run once for the module exactly as the README says (≈ 5 s on this project's machine)
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Run ``python tools/build_static.py --out <tmp>/dist``; return (output folder, printed report)."""
    out = tmp_path_factory.mktemp("static") / "dist"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    print(f"static build took {time.perf_counter() - started:.1f} s")
    return out, result.stdout


@pytest.fixture(scope="module")
def packed_wheel(site, tmp_path_factory) -> Path:
    """Our wheel, extracted from the site's resources zip."""
    out, _ = site
    with zipfile.ZipFile(out / "main.resources.zip") as archive:
        names = [name for name in archive.namelist() if name.endswith(".whl")]
        assert len(names) == 1, f"expected exactly one packed wheel, found {archive.namelist()}"
        assert re.fullmatch(r"packed_wheels/mle_explorer-[^/]+-py3-none-any\.whl", names[0]), names[0]
        return Path(archive.extract(names[0], tmp_path_factory.mktemp("wheel")))


def worker_requirements(worker_js: str) -> list[str]:
    """The list the worker passes to ``micropip.install`` (parsed here independently of the build)."""
    calls = re.findall(r"micropip\.install\(\[([^\]]*)\]\)", worker_js)
    assert len(calls) == 1, f"expected one micropip.install([...]) in the worker, found {len(calls)}"
    return re.findall(r"'([^']*)'", calls[0])


@pytest.mark.static
def test_build_writes_the_page_its_worker_and_resources(site):
    out, _ = site
    assert sorted(path.name for path in out.iterdir()) == ["favicon.ico", "index.html", "main.js", "main.resources.zip"]
    assert out.stat().st_mode & 0o005 == 0o005, "a web server running as another user must be able to list and read it"
    html = (out / "index.html").read_text(encoding="utf-8")
    worker_js = (out / "main.js").read_text(encoding="utf-8")
    assert 'new Worker("./main.js")' in html
    assert "MLE Explorer" in html  # the pre-rendered page, shown while Python loads
    assert re.search(r'importScripts\("https://cdn\.jsdelivr\.net/pyodide/v[\d.]+/full/pyodide\.js"\)', worker_js)
    assert "const data_archives = ['main.resources.zip'];" in worker_js
    assert "from mle_explorer.explorer import create_app" in worker_js  # the entry script runs in the worker


@pytest.mark.static
def test_build_prints_the_files_their_sizes_and_what_the_page_fetches(site):
    out, report = site
    for name in ("index.html", "main.js", "main.resources.zip"):
        size = (out / name).stat().st_size
        assert re.search(rf"^\s+{re.escape(name)}\s+[\d.]+ (?:B|kB|MB)$", report, re.MULTILINE), report
        assert size > 0
    assert re.search(r"mle_explorer-\S+\.whl \([\d.]+ (?:B|kB|MB)\)", report)
    assert "https://cdn.jsdelivr.net/pyodide/" in report
    assert "https://cdn.bokeh.org/bokeh/release/bokeh-" in report


@pytest.mark.static
def test_page_installs_exactly_our_wheel_plus_panel_and_bokeh(site, packed_wheel):
    from panel.io.convert import BOKEH_CDN_WHL, PANEL_CDN_WHL

    out, _ = site
    worker_js = (out / "main.js").read_text(encoding="utf-8")
    assert worker_requirements(worker_js) == [BOKEH_CDN_WHL, PANEL_CDN_WHL, f"emfs:packed_wheels/{packed_wheel.name}"]
    assert "scipy" not in worker_js.lower()


@pytest.mark.static
def test_wheel_holds_only_the_two_packages_and_needs_no_scipy_at_startup(packed_wheel):
    with zipfile.ZipFile(packed_wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(name for name in names if name.endswith(".dist-info/METADATA"))).decode()
    top_level = {name.split("/")[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"mle_explorer", "mle_core"}
    assert "mle_explorer/main.py" in names
    assert "mle_explorer/pyodide_support.py" in names
    requires = [
        Requirement(line.split(":", 1)[1]) for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    ]
    unconditional = sorted(req.name for req in requires if req.marker is None)
    assert unconditional == ["bokeh", "numpy", "panel", "param"]
    scipy = [req for req in requires if req.name == "scipy"]
    assert scipy, "scipy should still be offered as an extra"
    assert all("extra ==" in str(req.marker) for req in scipy), scipy


@pytest.mark.static
def test_packed_wheel_imports_on_its_own_without_scipy(packed_wheel, tmp_path):
    # -I: no PYTHONPATH, no current directory, no user site; the wheel goes first on sys.path. scipy is
    # made unimportable, as it is in the page at start-up: the app must import and build without it.
    code = (
        "import json, sys\n"
        "sys.modules['scipy'] = None\n"
        f"sys.path.insert(0, {str(packed_wheel)!r})\n"
        "import mle_core, mle_explorer.state\n"
        "from mle_explorer.explorer import create_app\n"
        "create_app()\n"
        "print(json.dumps([mle_core.__file__, mle_explorer.state.__file__, mle_core.fit('gaussian', [1.0, 3.0])]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    core_file, state_file, fitted = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(core_file) == packed_wheel / "mle_core" / "__init__.py"
    assert Path(state_file) == packed_wheel / "mle_explorer" / "state.py"
    assert fitted == {"mu": 2.0, "sigma": 1.0}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def static_host(directory: Path):
    """Serve ``directory`` as a static host would, on a free port; yield its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get_content_type()


@pytest.mark.static
@pytest.mark.parametrize("mount", ["root", "sub-path"], ids=["at-the-root", "under-a-sub-path"])
def test_index_html_is_the_page_at_the_root_and_its_files_resolve(site, mount):
    # GitHub Pages serves a project site under /<repository>/: the page must use relative paths only.
    out, _ = site
    directory, prefix = (out, "/") if mount == "root" else (out.parent, f"/{out.name}/")
    html = (out / "index.html").read_bytes()
    with static_host(directory) as base:
        page, page_type = fetch(base + prefix)
        assert page == html
        assert page_type == "text/html"
        # Everything the page refers to without a host must be served from the site itself.
        local = [
            ref
            for ref in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.decode())
            if not re.match(r"(?:[a-z]+:|//|#)", ref)
        ]
        worker = re.search(r'new Worker\("([^"]+)"\)', html.decode()).group(1)
        for ref in [*local, worker]:
            body, _ = fetch(base + prefix + ref.removeprefix("./"))
            assert body == (out / ref.removeprefix("./")).read_bytes()
        # The worker fetches the resources relative to its own URL, which is the page's folder.
        worker_js, worker_type = fetch(base + prefix + "main.js")
        assert worker_type in ("text/javascript", "application/javascript")
        archive = re.search(r"const data_archives = \['([^']+)'\]", worker_js.decode()).group(1)
        body, _ = fetch(base + prefix + archive)
        assert body == (out / "main.resources.zip").read_bytes()


# ---------------------------------------------------------------------------------------------------------
# The build's own guards, without running a build
# ---------------------------------------------------------------------------------------------------------


def test_build_refuses_scipy_at_startup_and_accepts_it_as_an_extra():
    build = load_build_module()
    wheel_requires = ["numpy>=1.26", "scipy>=1.11; extra == 'scipy'", "tornado>=6.2; sys_platform != 'emscripten'"]
    assert build.startup_requirements(wheel_requires) == ["numpy>=1.26"]
    build.check_not_at_startup(build.startup_requirements(wheel_requires), "the wheel")
    with pytest.raises(build.BuildError, match="scipy"):
        build.check_not_at_startup(["numpy>=1.26", "SciPy>=1.11"], "the wheel")
    with pytest.raises(build.BuildError, match="scipy"):
        build.check_not_at_startup(["emfs:packed_wheels/x-1-py3-none-any.whl", "scipy"], "the page")


def test_build_replaces_a_previous_build_but_not_another_folder(tmp_path):
    build = load_build_module()
    previous = tmp_path / "dist"
    previous.mkdir()
    (previous / "index.html").write_text("old")
    (previous / "main.js").write_text("old")
    new = tmp_path / "new"
    new.mkdir()
    (new / "index.html").write_text("new")
    build.replace_folder(new, previous)
    assert (previous / "index.html").read_text() == "new"
    assert not (previous / "main.js").exists()

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(build.BuildError, match="not a previous build"):
        build.replace_folder(other, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


# ---------------------------------------------------------------------------------------------------------
# The app runs in a browser worker: no server, threads, subprocesses, file writes or network
# ---------------------------------------------------------------------------------------------------------

# Installed first thing in a fresh interpreter; then the code under test runs. Every forbidden call is
# recorded before it raises, so one swallowed by a library's ``except Exception`` still fails the run.
GUARD = r"""
import _thread, builtins, io, os, socket, subprocess, sys, threading
sys.dont_write_bytecode = True  # the interpreter's .pyc cache is not the app writing files
VIOLATIONS = []

class Forbidden(Exception):
    pass

def forbid(what):
    VIOLATIONS.append(what)
    raise Forbidden(what)

_open, _os_open = builtins.open, os.open
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def guarded_open(file, mode="r", *args, **kwargs):
    if set(mode) & set("wax+"):
        forbid(f"open({file!r}, {mode!r})")
    return _open(file, mode, *args, **kwargs)

def guarded_os_open(path, flags, *args, **kwargs):
    if flags & WRITE_FLAGS:
        forbid(f"os.open({path!r}, {flags:#o})")
    return _os_open(path, flags, *args, **kwargs)

builtins.open = io.open = guarded_open
os.open = guarded_os_open
socket.socket.__init__ = lambda self, *args, **kwargs: forbid(f"socket.socket{args}")
threading.Thread.start = lambda self: forbid(f"threading.Thread.start ({self.name})")
_thread.start_new_thread = lambda *args, **kwargs: forbid("_thread.start_new_thread")
subprocess.Popen.__init__ = lambda self, args, *rest, **kwargs: forbid(f"subprocess.Popen({args!r})")
for name in ("system", "fork", "posix_spawn", "posix_spawnp"):
    setattr(os, name, lambda *args, _name=name, **kwargs: forbid(f"os.{_name}{args}"))

try:
    exec(compile(sys.argv[1], "<code under test>", "exec"))
except Forbidden:
    pass
if VIOLATIONS:
    print("FORBIDDEN:", "; ".join(VIOLATIONS))
    sys.exit(3)
print("CLEAN")
"""

BUILD_WHOLE_UI = """
from bokeh.document import Document
from bokeh.models import Plot, Slider
from mle_explorer.explorer import create_app
page = create_app()
# The whole page, as panel serve and panel convert build it for a session: every component's get_root().
document = page.server_doc(Document())
models = [model for root in document.roots for model in root.references()]
assert any(isinstance(model, Plot) for model in models), "no figure"
assert sum(isinstance(model, Slider) for model in models) >= 2, "no mu and sigma sliders"
print(len(document.roots), "roots,", len(models), "models")
"""


def run_guarded(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", GUARD, code], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_app_builds_its_whole_ui_without_server_threads_subprocesses_writes_or_network():
    result = run_guarded(BUILD_WHOLE_UI, cwd=ROOT)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.strip().endswith("CLEAN")
    assert "roots," in result.stdout


def test_importing_pyodide_support_does_nothing_forbidden():
    result = run_guarded("import mle_explorer.pyodide_support", cwd=ROOT)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize(
    "violation",
    [
        "open({path!r}, 'w')",
        "open({path!r}, 'rb+')",
        "import pathlib; pathlib.Path({path!r}).write_text('x')",
        "import os; os.open({path!r}, os.O_WRONLY | os.O_CREAT)",
        "import tempfile; tempfile.mkstemp()",
        "import threading; threading.Thread(target=print).start()",
        "import concurrent.futures as cf; cf.ThreadPoolExecutor(1).submit(print).result()",
        "import subprocess; subprocess.run(['true'])",
        "import os; os.system('true')",
        "import socket; socket.create_connection(('127.0.0.1', 9), timeout=1)",
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)",
        # A library that swallows the error still gets caught: the violation is recorded first.
        "try:\n    open({path!r}, 'a')\nexcept Exception:\n    pass",
    ],
)
def test_the_guard_catches_a_deliberate_violation(violation, tmp_path):
    path = str(tmp_path / "written.txt")
    result = run_guarded(violation.format(path=path), cwd=tmp_path)
    assert result.returncode == 3, f"not caught:\n{result.stdout}\n{result.stderr}"
    assert "FORBIDDEN:" in result.stdout
    assert not Path(path).exists()


def test_the_guard_lets_reading_through(tmp_path):
    source = tmp_path / "data.txt"
    source.write_text("2.3 1.9")
    result = run_guarded(f"assert open({str(source)!r}).read() == '2.3 1.9'", cwd=tmp_path)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


# ---------------------------------------------------------------------------------------------------------
# mle_explorer.pyodide_support: optional packages on demand
# ---------------------------------------------------------------------------------------------------------


def test_package_available_reports_without_importing():
    assert package_available("json")
    assert package_available("numpy")
    assert not package_available("no_such_package_for_mle_explorer")
    assert not package_available("no_such_package_for_mle_explorer.child")
    assert "no_such_package_for_mle_explorer" not in sys.modules


def test_outside_pyodide_ensure_package_just_imports():
    assert not pyodide_support.IN_PYODIDE
    import json as json_module

    assert asyncio.run(ensure_package("json")) is json_module
    assert asyncio.run(ensure_package("numpy", "numpy.linalg")).__name__ == "numpy.linalg"
    # The family that will need it: scipy is in the test extra, so here it simply imports.
    stats = asyncio.run(ensure_package("scipy", "scipy.stats"))
    assert hasattr(stats, "weibull_min")


def test_outside_pyodide_a_missing_package_is_not_installed(monkeypatch):
    monkeypatch.delitem(sys.modules, "micropip", raising=False)
    with pytest.raises(ModuleNotFoundError):
        asyncio.run(ensure_package("no_such_package_for_mle_explorer"))
    assert "micropip" not in sys.modules


def fake_module(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, loader=None)
    module.__dict__.update(attributes)
    return module


def test_under_pyodide_ensure_package_installs_with_micropip_once(monkeypatch):
    # Pyodide simulated: micropip is a stand-in that records what it is asked to install.
    installed = []

    async def install(name):
        installed.append(name)
        monkeypatch.setitem(sys.modules, "fake_weibull_pkg", fake_module("fake_weibull_pkg", fitted=True))

    monkeypatch.setattr(pyodide_support, "IN_PYODIDE", True)
    monkeypatch.setitem(sys.modules, "micropip", fake_module("micropip", install=install))
    module = asyncio.run(ensure_package("fake-weibull-pkg", "fake_weibull_pkg"))
    assert module.fitted
    assert installed == ["fake-weibull-pkg"]
    asyncio.run(ensure_package("fake-weibull-pkg", "fake_weibull_pkg"))
    assert installed == ["fake-weibull-pkg"], "an available package is not installed again"


def test_under_pyodide_micropip_is_loaded_first_when_missing(monkeypatch):
    calls = []

    async def install(name):
        calls.append(f"micropip.install({name})")
        monkeypatch.setitem(sys.modules, "fake_weibull_pkg", fake_module("fake_weibull_pkg"))

    async def load_package(name):
        calls.append(f"loadPackage({name})")
        monkeypatch.setitem(sys.modules, "micropip", fake_module("micropip", install=install))

    monkeypatch.setattr(pyodide_support, "IN_PYODIDE", True)
    monkeypatch.delitem(sys.modules, "micropip", raising=False)
    monkeypatch.setattr(pyodide_support, "package_available", lambda name: name in sys.modules)
    monkeypatch.setitem(sys.modules, "pyodide_js", fake_module("pyodide_js", loadPackage=load_package))
    asyncio.run(ensure_package("fake-weibull-pkg", "fake_weibull_pkg"))
    assert calls == ["loadPackage(micropip)", "micropip.install(fake-weibull-pkg)"]


# ---------------------------------------------------------------------------------------------------------
# The GitHub Pages workflow publishes what the build writes
# ---------------------------------------------------------------------------------------------------------


def test_pages_workflow_builds_with_the_script_and_deploys_dist():
    import yaml  # a dependency of bokeh

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert workflow["concurrency"]["group"] == "pages"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    commands = [step.get("run", "") for step in build["steps"]]
    assert "python tools/build_static.py" in commands
    assert any(step.get("with", {}).get("python-version") == "3.11" for step in build["steps"])
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "dist"
    assert deploy["needs"] == "build"
    assert deploy["permissions"]["pages"] == "write"
    assert deploy["permissions"]["id-token"] == "write"
    assert deploy["environment"]["name"] == "github-pages"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in deploy["steps"])
