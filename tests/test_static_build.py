"""The static (Pyodide) site: the build's output, and the app's fitness to run in a browser worker.

The page itself is opened end to end in ``tests/browser/test_static_page.py``. Here, what can be checked
without a browser: the build writes a complete site that installs exactly what the app imports (no
dependency resolution in the browser, no scipy, none of the packages Panel and Bokeh name that the app never
imports), the wheel it serves imports on its own, ``index.html`` and everything it names are served at a root
and under a sub-path, the app builds its whole UI with no server, threads, subprocesses, file writes or
network, and the Pyodide-only code paths (the start-up sync, the page's address, Panel's assets, scipy on
demand) do what they say.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading
import types
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# The app's modules are imported here, before any test sets IN_PYODIDE: one imported under the stand-in would keep it.
import mle_explorer.explorer
from mle_explorer import pyodide_support, upstream
from mle_explorer.explorer import MLEExplorer, create_app
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


@functools.cache
def load_static_page_helpers() -> types.ModuleType:
    """``tests/browser/static_page.py`` (the build, once per session, shared with the browser tests)."""
    spec = importlib.util.spec_from_file_location("static_page_helpers", ROOT / "tests" / "browser" / "static_page.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------------------
# The build, run once per session exactly as the README says (≈ 30 s on this project's machine)
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``python tools/build_static.py --out <session tmp>/static-site/dist``: (output folder, printed report)."""
    return load_static_page_helpers().built_once(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def packed_wheel(site, tmp_path_factory) -> Path:
    """Our wheel, as the site serves it."""
    out, _ = site
    wheels = sorted((out / "wheels").glob("mle_explorer-*.whl"))
    assert len(wheels) == 1, f"expected exactly one mle_explorer wheel, found {wheels}"
    assert re.fullmatch(r"mle_explorer-[^/]+-py3-none-any\.whl", wheels[0].name), wheels[0].name
    return Path(shutil.copy(wheels[0], tmp_path_factory.mktemp("wheel")))


def worker_packages(worker_js: str) -> list[str]:
    """The packages the worker gives ``loadPyodide`` (parsed here independently of the build)."""
    calls = re.findall(r"loadPyodide\(\{packages: (\[[^\]]*\])\}\)", worker_js)
    assert len(calls) == 1, f"expected one loadPyodide({{packages: [...]}}) in the worker, found {len(calls)}"
    return json.loads(calls[0])


#: What the page installs, and nothing else: the packages the app imports in the browser (by name from Pyodide,
#: Panel's and Bokeh's wheels from their CDN, pure wheels PyPI has and Pyodide has not, with the site).
FROM_PYODIDE = ["contourpy", "jinja2", "markupsafe", "nh3", "numpy", "packaging", "pyodide-http", "pyyaml", "tqdm"]
WITH_THE_SITE = ["linkify_it_py", "markdown", "markdown_it_py", "mdit_py_plugins", "mdurl", "param", "pyviz_comms"]
#: Named by Panel's or Bokeh's metadata, never imported by the app in the browser: the page used to install them.
NEVER_INSTALLED = [
    "pandas", "panel_material_ui", "requests", "urllib3", "certifi", "charset_normalizer", "idna", "narwhals",
    "pillow", "xyzservices", "typing_extensions", "micropip", "scipy",
]  # fmt: skip


@pytest.mark.static
def test_build_writes_the_page_its_worker_and_its_wheels(site):
    out, _ = site
    assert sorted(path.name for path in out.iterdir()) == [
        "boot.js", "favicon.ico", "index.html", "main.js", "service-worker.js", "wheels",
    ]  # fmt: skip
    assert out.stat().st_mode & 0o005 == 0o005, "a web server running as another user must be able to list and read it"
    html = (out / "index.html").read_text(encoding="utf-8")
    boot_js = (out / "boot.js").read_text(encoding="utf-8")
    worker_js = (out / "main.js").read_text(encoding="utf-8")
    # boot.js comes first in the head and starts the worker; the page no longer waits for its body to do it.
    assert re.search(r'<head>\s*<script type="text/javascript" src="./boot.js"></script>', html)
    assert 'const WORKER_URL = "./main.js";' in boot_js
    assert "new Worker(" not in html
    assert "const pyodideWorker = mleStaticPage.worker;" in html
    assert "MLE Explorer" in html  # the pre-rendered page, shown while Python loads
    assert re.search(r'importScripts\("https://cdn\.jsdelivr\.net/pyodide/v[\d.]+/full/pyodide\.js"\)', worker_js)
    assert "main.resources.zip" not in worker_js
    assert "micropip" not in worker_js
    # Once the page has rendered, the worker sends it each burst of changes as one message, not one per change.
    assert "link_to_the_page(state.curdoc, sendPatch)" in worker_js
    assert "_link_docs_worker" not in worker_js
    assert 'pyimport("mle_explorer.upstream").apply_the_pages_change' in worker_js
    assert "from mle_explorer.explorer import create_app" in worker_js  # the entry script runs in the worker
    assert sorted(path.name.split("-")[0] for path in (out / "wheels").iterdir()) == sorted(
        [*WITH_THE_SITE, "mle_explorer"]
    )


@pytest.mark.static
def test_build_prints_the_files_their_sizes_and_what_the_page_fetches(site):
    out, report = site
    for name in ("index.html", "main.js", "boot.js", "service-worker.js"):
        size = (out / name).stat().st_size
        assert re.search(rf"^\s+{re.escape(name)}\s+[\d.]+ (?:B|kB|MB)$", report, re.MULTILINE), report
        assert size > 0
    assert re.search(r"mle_explorer-\S+\.whl \([\d.]+ (?:B|kB|MB)\)", report)
    assert "https://cdn.jsdelivr.net/pyodide/" in report
    assert "https://cdn.bokeh.org/bokeh/release/bokeh-" in report
    assert "pandas: Panel imports it under Pyodide only" in report  # why a requirement is left out


@pytest.mark.static
def test_page_installs_exactly_what_the_app_imports_as_pyodide_starts(site, packed_wheel):
    from panel.io.convert import BOKEH_CDN_WHL, PANEL_CDN_WHL

    out, _ = site
    worker_js = (out / "main.js").read_text(encoding="utf-8")
    packages = worker_packages(worker_js)
    by_name = [p for p in packages if "/" not in p]
    from_cdn = [p for p in packages if p.startswith("https://")]
    from_site = [p for p in packages if p.startswith("./")]
    assert sorted(by_name) == FROM_PYODIDE
    assert from_cdn == [BOKEH_CDN_WHL, PANEL_CDN_WHL]
    assert sorted(p.removeprefix("./wheels/").split("-")[0] for p in from_site) == sorted(
        [*WITH_THE_SITE, "mle_explorer"]
    )
    assert f"./wheels/{packed_wheel.name}" in from_site
    assert len(packages) == len(by_name) + len(from_cdn) + len(from_site)
    for name in NEVER_INSTALLED:
        assert not any(name.replace("_", "-") in p.lower() or name in p.lower() for p in packages), (name, packages)
    assert "scipy" not in worker_js.lower()
    for wheel in from_site:
        assert (out / wheel).is_file(), wheel
        assert wheel.endswith("-py3-none-any.whl"), wheel


@pytest.mark.static
def test_page_loads_no_bokeh_bundle_the_app_does_not_use(site):
    html = (site[0] / "index.html").read_text(encoding="utf-8")
    bundles = re.findall(r'src="https://cdn\.bokeh\.org/bokeh/release/(bokeh(?:-[a-z]+)?)-[\d.]+\.min\.js"', html)
    assert bundles == ["bokeh", "bokeh-widgets", "bokeh-tables"]  # tables: panel.min.js imports it


def test_the_app_uses_neither_webgl_nor_bokeh_math_text():
    # What lets the page leave out bokeh-gl and bokeh-mathjax (tools/build_static.py, UNUSED_BOKEH_BUNDLES).
    for path in sorted((ROOT / "app").glob("*.py")):
        found = re.findall(r"webgl|mathjax|\b(?:MathText|TeX|MathML|Ascii)\b", path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} uses {found}: the page must load that Bokeh bundle again"


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
        boot = re.search(r'src="(\./boot\.js)"', html.decode()).group(1)
        boot_js, _ = fetch(base + prefix + boot.removeprefix("./"))
        worker = re.search(r'const WORKER_URL = "([^"]+)";', boot_js.decode()).group(1)
        service_worker = re.search(r'const SERVICE_WORKER_URL = "([^"]+)";', boot_js.decode()).group(1)
        for ref in [*local, worker]:
            body, _ = fetch(base + prefix + ref.removeprefix("./"))
            assert body == (out / ref.removeprefix("./")).read_bytes()
        # A browser registers a service worker only if it is served as JavaScript, from the page's folder.
        for script in (boot, worker, service_worker):
            _, kind = fetch(base + prefix + script.removeprefix("./"))
            assert kind in ("text/javascript", "application/javascript"), (script, kind)
        # The worker fetches the wheels relative to its own URL, which is the page's folder.
        worker_js, _ = fetch(base + prefix + worker.removeprefix("./"))
        for wheel in worker_packages(worker_js.decode()):
            if wheel.startswith("./"):
                body, _ = fetch(base + prefix + wheel.removeprefix("./"))
                assert body == (out / wheel.removeprefix("./")).read_bytes()


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


# ---------------------------------------------------------------------------------------------------------
# What the page installs (tools/build_static.py: install_plan)
# ---------------------------------------------------------------------------------------------------------


def test_the_install_plan_follows_the_requirements_and_leaves_out_what_the_app_never_imports():
    from panel.io.convert import BOKEH_CDN_WHL, PANEL_CDN_WHL

    build = load_build_module()
    metadata = {
        "panel": ["bokeh>=3.7", "param<3", "pandas>=1.2", "requests", "tqdm", "markdown", "typing-extensions"],
        "bokeh": ["numpy>=1.16", "Jinja2>=2.9", "pillow>=7.1", 'tornado>=6.2; sys_platform != "emscripten"'],
        "jinja2": ["MarkupSafe>=2.0", 'Babel>=2.7 ; extra == "i18n"'],
        "tqdm": ['colorama; platform_system == "Windows"'],
        "requests": ["urllib3", "certifi"],
        "markdown": [],
    }
    versions = {"param": "2.4.2", "markdown": "3.11.3"}
    plan = build.install_plan(
        ["numpy>=1.26", "param>=2.2", "bokeh>=3.9", "panel>=1.9", "scipy>=1.11; extra == 'scipy'"],
        requires=lambda name: metadata.get(name, []),
        version=lambda name: versions[name],
    )
    assert plan.from_pyodide == ("jinja2", "markupsafe", "numpy", "pyodide-http", "tqdm")
    assert plan.from_cdn == (BOKEH_CDN_WHL, PANEL_CDN_WHL)
    assert plan.shipped == (("markdown", "3.11.3"), ("param", "2.4.2"))
    assert plan.names() == [
        "bokeh", "jinja2", "markdown", "markupsafe", "numpy", "panel", "param", "pyodide-http", "tqdm",
    ]  # fmt: skip


def test_the_install_plan_refuses_scipy_and_a_package_it_cannot_fetch():
    build = load_build_module()
    with pytest.raises(build.BuildError, match="scipy"):
        build.install_plan(["panel"], requires=lambda name: ["scipy"] if name == "panel" else [], version=str)

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    with pytest.raises(build.BuildError, match="needs leftpad, which is neither in Pyodide"):
        build.install_plan(["leftpad"], requires=lambda name: [], version=not_installed)


def test_every_package_left_out_is_one_panel_or_bokeh_requires():
    # The list stays honest: a requirement Panel or Bokeh drops must leave it too.
    build = load_build_module()
    required = {
        canonicalize_name(Requirement(text).name)
        for name in ("panel", "bokeh")
        for text in importlib.metadata.requires(name)
    }
    assert set(build.NOT_INSTALLED) <= required, set(build.NOT_INSTALLED) - required


def test_what_the_page_loads_by_name_is_in_the_pyodide_distribution():
    # Pyodide's own lock file (from npm) comes with the offline mirror: loadPyodide cannot load a name it lacks.
    helpers = load_static_page_helpers()
    if not helpers.MIRROR_TOOLS.is_dir():
        pytest.skip(f"Pyodide's lock file comes with the offline mirror, and {helpers.MIRROR_TOOLS} is absent")
    helpers.cdn_source()  # prepares the mirror if need be
    lock = Path(helpers.mirror_routes().MIRROR).parent / "npm" / "package" / "pyodide-lock.json"
    names = set(json.loads(lock.read_text(encoding="utf-8"))["packages"])
    build = load_build_module()
    assert names >= build.FROM_PYODIDE, build.FROM_PYODIDE - names
    assert not names & {canonicalize_name(name) for name in WITH_THE_SITE}, "shipped, though Pyodide has it"


# ---------------------------------------------------------------------------------------------------------
# The app's Pyodide-only paths (mle_explorer.pyodide_support), simulated
# ---------------------------------------------------------------------------------------------------------


@contextmanager
def worker_document():
    """A document as Panel's web worker makes it (``panel.io.pyodide.init_doc``): held, with a mock session."""
    from bokeh.document import Document
    from panel.io.document import MockSessionContext
    from panel.io.state import set_curdoc

    document = Document()
    document.hold()
    document._session_context = lambda: MockSessionContext(document=document)
    with set_curdoc(document):
        yield document


def released_events_naming_models_the_page_lacks(settle: bool) -> list[str]:
    """Build the app as the worker does, render its document, then release the hold as ``_link_docs_worker``
    does once the page has shown it; return the released events that name a model the page never received."""
    with worker_document() as document:
        create_app().servable()
        if settle:
            upstream.settle_before_first_render(document)
        rendered = {model.id for model in document.models}  # what write_doc serializes for the page
        released = []
        document.on_change(released.append)
        document.unhold()
    return [
        f"{type(event).__name__} of {type(event.model).__name__} {event.model.id}"
        for event in released
        if getattr(event, "model", None) is not None and event.model.id not in rendered
    ]


def test_under_pyodide_the_page_is_sent_no_change_to_a_model_it_never_received(monkeypatch):
    # BokehJS raised "reference <id> isn't known" on every load of the static page (a stylesheet change held
    # since the build, for the template's internal root, which is not part of the rendered document).
    monkeypatch.setattr(upstream, "IN_PYODIDE", True)
    assert released_events_naming_models_the_page_lacks(settle=False), "Panel no longer holds such an event"
    assert released_events_naming_models_the_page_lacks(settle=True) == []


def test_settling_the_document_does_nothing_on_a_server():
    with worker_document() as document:
        upstream.settle_before_first_render(document)
        assert document.callbacks.hold_value == "combine"  # not IN_PYODIDE: left as it was


def test_under_pyodide_a_shared_link_opens_once_the_page_has_sent_its_address(monkeypatch):
    import panel as pn
    from panel.util import edit_readonly

    monkeypatch.setattr(pyodide_support, "IN_PYODIDE", True)
    monkeypatch.setattr(mle_explorer.explorer, "IN_PYODIDE", True)

    async def worker_then_page():
        with worker_document():
            explorer = MLEExplorer()
            explorer.page().servable()
            await asyncio.sleep(0)  # the worker's start-up code is done: the page renders the document
            assert explorer.state.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]
            location = pn.state.location
            with edit_readonly(location):  # the page's "location" message, as Panel's worker applies it
                location.param.update(
                    href="https://example.org/mle/?family=poisson&rate=3.15&x=2,3,0,4",
                    protocol="https:", hostname="example.org", port="", pathname="/mle/",
                    search="?family=poisson&rate=3.15&x=2,3,0,4",
                )  # fmt: skip
            return explorer

    loop = asyncio.new_event_loop()  # not asyncio.run: it would leave the tests that follow without a loop
    try:
        explorer = loop.run_until_complete(worker_then_page())
    finally:
        loop.close()
    assert explorer.state.family == "poisson"
    assert explorer.state.observations.tolist() == [2, 3, 0, 4]
    assert explorer.state.theta == {"rate": 3.15}


def test_under_pyodide_panel_takes_its_upload_and_notification_assets_from_its_cdn(monkeypatch):
    from panel.io.notifications import NotificationArea
    from panel.io.resources import CDN_DIST
    from panel.io.resources import DIST_DIR as PANEL_DIST_DIR
    from panel.models.file_dropper import FileDropper

    classes = (FileDropper, NotificationArea)
    for cls in classes:
        for attribute in ("__css_raw__", "__javascript_raw__"):
            monkeypatch.setattr(cls, attribute, list(cls.__dict__[attribute]))
    before = {cls: (cls.__css_raw__, cls.__javascript_raw__) for cls in classes}
    upstream.use_the_pages_copies_of_panel_assets()
    assert {cls: (cls.__css_raw__, cls.__javascript_raw__) for cls in classes} == before  # not IN_PYODIDE

    monkeypatch.setattr(upstream, "IN_PYODIDE", True)
    upstream.use_the_pages_copies_of_panel_assets()
    assert FileDropper.__css_raw__[0] == f"{CDN_DIST}bundled/filedropper/filepond@^4/dist/filepond.css"
    assert NotificationArea.__css_raw__[0] == f"{CDN_DIST}bundled/notificationarea/notyf@3/notyf.min.css"
    for cls in classes:
        for url in [*cls.__css_raw__, *cls.__javascript_raw__]:
            # Panel's own bundled copies, the files the page's head loads: none from jsDelivr any more.
            assert url.startswith(f"{CDN_DIST}bundled/"), url
            assert (PANEL_DIST_DIR / url.removeprefix(CDN_DIST)).is_file(), url


def test_on_the_static_page_a_weibull_that_cannot_load_says_so_and_changes_nothing(monkeypatch):
    async def offline(name, module=None):
        raise OSError("Failed to fetch")  # what the browser says with the network gone: not an ImportError

    monkeypatch.setattr(pyodide_support, "IN_PYODIDE", True)
    monkeypatch.setattr(pyodide_support, "package_available", lambda module: False)
    monkeypatch.setattr(pyodide_support, "ensure_package", offline)
    explorer = MLEExplorer()
    seen = []
    explorer.state.param.watch(lambda event: seen.append(event.new), "notice")
    explorer.controls.family_select.value = "weibull"
    assert explorer.state.family == "gaussian"
    assert explorer.state.observations.tolist() == [2.3, 1.9, 2.5, 2.8, 1.7]
    assert explorer.controls.family_select.value == "gaussian", "the selector shows the family still in use"
    assert "Loading scipy" in seen[0]
    assert "could not be loaded" in seen[-1]
    assert "still the Gaussian (normal) family, with the same data" in seen[-1]
