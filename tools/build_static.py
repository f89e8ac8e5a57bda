"""Build the static site of MLE Explorer: the app running in the browser on Pyodide, no server.

Run it from a checkout, with the project installed (``python -m pip install .``)::

    python tools/build_static.py              # writes dist/
    python tools/build_static.py --out DIR    # writes DIR/

Then serve the folder with any static host (``python -m http.server -d dist``) and open its root.

``panel convert`` embeds only the entry script (``app/main.py``) in the page, so the steps are:

1. build this project's wheel (``pip wheel . --no-deps``), which holds ``mle_core`` and ``app``;
2. check its requirements (scipy must stay an extra) and work out what the page installs: exactly the packages
   the app imports in the browser (``install_plan``), not all that Panel's and Bokeh's metadata name;
3. ``panel convert app/main.py --to pyodide-worker --requirements <wheel>``, which renders the page the student
   sees while Python loads (the conversion runs the app once, with the wheel first on ``sys.path``) and writes
   the worker script;
4. make it light and fast (``make_light_and_fast``): the worker gives the plan to ``loadPyodide``, which
   downloads it while Pyodide starts, with no micropip and no dependency resolution in the browser; the page
   starts the worker first thing (``static_page/boot.js``) and loads no Bokeh bundle the app does not use;
5. make it work offline after one visit: a service worker (``static_page/service-worker.js``) keeps what the
   page loads;
6. rename ``main.html`` to ``index.html``, so a static host serves the app at the site's root, add the
   ``favicon.ico`` the page links to (``panel serve`` answers that link itself), check the output and print
   the files, their sizes, what the worker installs and what the page fetches from elsewhere.

The output folder is replaced only once the new build has passed its checks, and only if it is empty or
holds a previous build.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from panel.io.convert import BOKEH_CDN_WHL, PANEL_CDN_WHL
from panel.io.resources import DIST_DIR as PANEL_DIST_DIR

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "app" / "main.py"
PAGE = ENTRY.stem  # panel convert names its files after the script: main.html, main.js, main.resources.zip
INDEX = "index.html"
WORKER = f"{PAGE}.js"
RESOURCES = f"{PAGE}.resources.zip"  # where panel convert packs our wheel; the page loads it from WHEELS instead
WHEELS = "wheels"  # folder of the site holding our wheel and the pure-Python wheels Pyodide does not have
#: The page's own JavaScript, beside this script: copied into the site.
STATIC_PAGE = Path(__file__).resolve().parent / "static_page"
BOOT = "boot.js"
SERVICE_WORKER = "service-worker.js"

ASSET_SUFFIXES = (".js", ".css", ".png", ".svg", ".ico", ".json", ".whl", ".wasm", ".woff", ".woff2")

# Never installed at start-up: the page must stay light (see app/pyodide_support.py for loading later).
NOT_AT_STARTUP = {"scipy"}
#: Requirements of Panel and Bokeh that the app never imports in the browser, and why: the page does not install
#: them (nor what only they require: requests brings urllib3, certifi, idna and charset-normalizer).
NOT_INSTALLED = {
    "pandas": "Panel imports it under Pyodide only to patch pandas.read_csv and read_json when pyodide-http is "
    "missing (panel/io/pyodide.py); the page installs pyodide-http instead (10 kB against pandas' 12 MB)",
    "panel-material-ui": "Panel's Material UI components; the app uses the Bootstrap template and Panel's widgets",
    "requests": "Panel's helpers for remote files (images by URL, the component compiler); the app fetches nothing",
    "narwhals": "Bokeh's dataframe support; the app gives its data sources dicts of numpy arrays",
    "pillow": "Bokeh's image properties and export (PIL images); the app draws none",
    "xyzservices": "Bokeh's map tile providers; the app draws no map",
    "typing-extensions": "imported by Panel, Bokeh and param only for type checking (under TYPE_CHECKING)",
}
#: Installed although no requirement names them: see NOT_INSTALLED["pandas"].
ADDED = ("pyodide-http",)
#: Packages the page takes from the Pyodide distribution it loads, by name (its lock file): the compiled ones
#: (no pure wheel exists), and pure ones Pyodide ships. Every other pure package comes with the site, at the
#: version installed here (pip download), since Pyodide's lock has none of it (micropip fetched them from PyPI).
FROM_PYODIDE = {"numpy", "contourpy", "markupsafe", "pyyaml", "nh3", "jinja2", "packaging", "tqdm", "pyodide-http"}
#: Panel's and Bokeh's wheels, as panel convert names them: their CDN's builds, without the bundled JavaScript.
FROM_CDN = {"bokeh": BOKEH_CDN_WHL, "panel": PANEL_CDN_WHL}
#: Bokeh's extension bundles the app never needs: no figure has output_backend="webgl", and every formula is KaTeX
#: (pn.pane.LaTeX(renderer="katex")), not Bokeh's TeX/MathML, which load MathJax (1.8 MB). bokeh-tables stays:
#: panel.min.js imports it (Panel's table widgets extend Bokeh's), and without it no Panel model registers.
UNUSED_BOKEH_BUNDLES = ("bokeh-gl", "bokeh-mathjax")
# Markers as micropip evaluates them in the browser (Pyodide 0.29 runs CPython 3.13 on emscripten).
PYODIDE_ENVIRONMENT = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.13",
    "python_full_version": "3.13.2",
    "extra": "",
}


class BuildError(RuntimeError):
    """The static site could not be built, or the result is not what the page needs."""


@dataclass(frozen=True)
class InstallPlan:
    """What the page's worker installs, given to ``loadPyodide``: no dependency resolution in the browser.

    ``from_pyodide`` are names in the lock file of the Pyodide distribution the page loads; ``from_cdn`` Panel's
    and Bokeh's CDN wheels; ``shipped`` (name, version) pure wheels served with the site, next to our own wheel.
    """

    from_pyodide: tuple[str, ...]
    from_cdn: tuple[str, ...]
    shipped: tuple[tuple[str, str], ...]

    def names(self) -> list[str]:
        """Every package installed, by canonical name (ours excepted)."""
        return sorted([*self.from_pyodide, *FROM_CDN, *(name for name, _ in self.shipped)])


@dataclass(frozen=True)
class StaticSite:
    """What a build produced."""

    out: Path
    wheel_name: str
    wheel_size: int
    wheel_startup_requirements: list[str]
    worker_packages: list[str]
    external_urls: list[str]

    def files(self) -> dict[str, int]:
        """Every file of the site, relative path → size in bytes."""
        return {
            path.relative_to(self.out).as_posix(): path.stat().st_size
            for path in sorted(self.out.rglob("*"))
            if path.is_file()
        }


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a build step; raise ``BuildError`` with its output if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    if result.returncode != 0:
        raise BuildError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def build_backend_installed() -> bool:
    """Whether this environment has the build backend pyproject.toml asks for (setuptools), at a version it allows."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    for text in requires:
        requirement = Requirement(text)
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def build_wheel(wheel_dir: Path) -> Path:
    """Build this project's wheel into ``wheel_dir`` and return its path.

    Uses the installed build backend when it is there, so the build needs no download; otherwise pip fetches
    it into an isolated build environment.
    """
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--wheel-dir", str(wheel_dir), "-q"]
    if build_backend_installed():
        command.append("--no-build-isolation")
    run(command)
    wheels = sorted(wheel_dir.glob("mle_explorer-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one mle_explorer wheel in {wheel_dir}, found {[w.name for w in wheels]}")
    return wheels[0]


def wheel_requirements(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's metadata."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


def startup_requirements(requirements: list[str]) -> list[str]:
    """Those of ``requirements`` that the page would install with the wheel: no extra, markers true in Pyodide."""
    return [
        text
        for text in requirements
        if (requirement := Requirement(text)).marker is None or requirement.marker.evaluate(PYODIDE_ENVIRONMENT)
    ]


def check_not_at_startup(names: list[str], where: str) -> None:
    """Raise if any of ``names`` (requirement strings or package names) would install a package kept out of
    start-up."""
    found = sorted(
        {canonicalize_name(Requirement(name).name) for name in names if not name.endswith(".whl")} & NOT_AT_STARTUP
    )
    if found:
        raise BuildError(
            f"{where} would install {', '.join(found)} when the page starts; keep it an optional extra "
            "in pyproject.toml and load it on demand (app/pyodide_support.py)"
        )


def installed_requirements(name: str) -> list[str]:
    """The requirements of the distribution ``name`` installed here (none if it is not installed here)."""
    try:
        return importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return []


def install_plan(requirements: list[str], requires=installed_requirements, version=importlib.metadata.version):
    """What the page installs for a wheel requiring ``requirements``: their closure over the metadata of the
    packages installed here, without NOT_INSTALLED (and what only they bring), with ADDED.

    ``requires(name)`` and ``version(name)`` give a package's requirements and installed version (stand-ins in
    the tests). Raises ``BuildError`` for a package the page would need that scipy is, or that is neither in
    Pyodide nor installed here (so no wheel of the right version can be fetched).
    """
    wanted: dict[str, None] = {}
    pending = [*startup_requirements(requirements), *ADDED]
    while pending:
        try:
            requirement = Requirement(pending.pop(0))
        except InvalidRequirement as error:
            raise BuildError(f"unreadable requirement: {error}") from error
        name = canonicalize_name(requirement.name)
        if name in wanted or name in NOT_INSTALLED:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(PYODIDE_ENVIRONMENT):
            continue
        wanted[name] = None
        pending.extend(requires(name))
    check_not_at_startup(list(wanted), "The page's install plan")
    shipped = []
    for name in sorted(set(wanted) - FROM_PYODIDE - set(FROM_CDN)):
        try:
            shipped.append((name, version(name)))
        except importlib.metadata.PackageNotFoundError as error:
            raise BuildError(
                f"the page needs {name}, which is neither in Pyodide (FROM_PYODIDE) nor installed here"
            ) from error
    return InstallPlan(
        from_pyodide=tuple(sorted(set(wanted) & FROM_PYODIDE)),
        from_cdn=tuple(FROM_CDN[name] for name in sorted(set(wanted) & set(FROM_CDN))),
        shipped=tuple(shipped),
    )


def fetch_shipped_wheels(plan: InstallPlan, folder: Path) -> list[Path]:
    """Download the plan's pure wheels from PyPI at the versions installed here (pip's cache answers a rebuild)."""
    if not plan.shipped:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    pins = [f"{name}=={version}" for name, version in plan.shipped]
    # Pure wheels only (py3-none-any): they are what runs in Pyodide, whatever this machine is.
    run([
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--platform", "any", "--implementation", "py", "--abi", "none",
        "--python-version", PYODIDE_ENVIRONMENT["python_version"], "--dest", str(folder), *pins,
    ])  # fmt: skip
    wheels = sorted(folder.glob("*.whl"))
    names = {canonicalize_name(wheel.name.split("-")[0]) for wheel in wheels}
    if names != {name for name, _ in plan.shipped} or not all(w.name.endswith("-none-any.whl") for w in wheels):
        raise BuildError(f"pip download gave {[w.name for w in wheels]} for {pins}")
    return wheels


def convert(wheel: Path, out: Path) -> str:
    """Run ``panel convert`` on the entry script into ``out``; return its output."""
    command = [
        sys.executable, "-m", "panel", "convert", str(ENTRY),
        "--to", "pyodide-worker",
        "--out", str(out),
        "--requirements", str(wheel),
        # The page installs pyodide-http itself (see NOT_INSTALLED["pandas"]), and make_light_and_fast replaces
        # the install step panel convert writes.
        "--disable-http-patch",
    ]  # fmt: skip
    # The build-time render imports the wheel the browser will install, not the checkout: the working
    # directory (first on sys.path under -m) holds only the wheel, and the wheel leads PYTHONPATH.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(wheel), os.environ.get("PYTHONPATH")]))}
    result = run(command, cwd=wheel.parent, env=env)
    output = result.stdout + result.stderr
    # panel convert reports a failed conversion on stdout and still exits with 0.
    if "Failed to convert" in output or not (out / f"{PAGE}.html").is_file():
        raise BuildError(f"panel convert did not write {PAGE}.html:\n{output}")
    return output


def replace_once(text: str, old: str | re.Pattern, new: str, where: str) -> str:
    """``text`` with its one occurrence of ``old`` (a string or a pattern) replaced by ``new``; ``BuildError`` if
    ``old`` is not there exactly once (panel convert's output changed: the step must be revisited)."""
    pattern = old if isinstance(old, re.Pattern) else re.compile(re.escape(old))
    matches = pattern.findall(text)
    if len(matches) != 1:
        raise BuildError(f"expected {pattern.pattern!r} once in {where}, found it {len(matches)} times")
    return pattern.sub(lambda _: new, text)


#: panel convert's worker: where it starts Pyodide, and its step that unpacks the resources and installs with micropip.
WORKER_START = "self.pyodide = await loadPyodide();"
WORKER_INSTALL_STEP = re.compile(r'(?<=console\.log\("Loaded pyodide!"\);\n).*?(?=  console\.log\("Environment)', re.S)


#: Put in place of panel convert's calls (see patch_worker). Panel's status messages to the page stay as they were.
WORKER_START_WITH_PACKAGES = (
    "// The packages the app imports, and nothing else (tools/build_static.py): Pyodide downloads them while it\n"
    "  // starts and installs them with no dependency resolution.\n"
    "  self.pyodide = await loadPyodide({packages: %s});"
)
WORKER_INSTALLED = "  self.postMessage({type: 'status', msg: 'Installing environment'})\n"
#: Where the worker starts sending the page its changes (on the page's "rendered"): one message per burst instead
#: of one per change (mle_explorer.upstream.link_to_the_page).
WORKER_LINK = """    from panel.io.pyodide import _link_docs_worker

    _link_docs_worker(state.curdoc, sendPatch, setter='js')"""
WORKER_LINK_BATCHED = """    from mle_explorer.upstream import link_to_the_page

    link_to_the_page(state.curdoc, sendPatch)"""
#: Where the worker applies a change from the page: a compiled function instead of code compiled for every message
#: (mle_explorer.upstream.apply_the_pages_change).
WORKER_APPLY = """    self.pyodide.globals.set('patch', msg.patch)
    self.pyodide.runPythonAsync(`
    from panel.io.pyodide import _convert_json_patch
    state.curdoc.apply_json_patch(_convert_json_patch(patch), setter='js')
    `)"""
WORKER_APPLY_COMPILED = (
    '    self.applyPatch ??= self.pyodide.pyimport("mle_explorer.upstream").apply_the_pages_change\n'
    "    self.applyPatch(msg.patch)"
)


def worker_packages(plan: InstallPlan, own_wheel: str, shipped_wheels: list[str]) -> list[str]:
    """The packages the worker gives ``loadPyodide``: names from Pyodide's lock, wheels by URL (the site's
    relative to the worker, which is at the site's root)."""
    return [*plan.from_pyodide, *plan.from_cdn, *(f"./{WHEELS}/{name}" for name in [*shipped_wheels, own_wheel])]


def patch_worker(worker_js: str, packages: list[str]) -> str:
    """Panel's worker, with ``packages`` given to ``loadPyodide``, which downloads them while Pyodide starts and
    installs them with no dependency resolution, instead of unpacking the resources zip and then resolving the
    requirements with micropip (which loaded micropip, fetched Panel's and Bokeh's wheels to read their
    requirements, then fetched everything those name, pandas included); and with the two steps of every change
    made quicker: the page's changes applied by a compiled function, the worker's sent a burst at a time."""
    worker_js = replace_once(worker_js, WORKER_START, WORKER_START_WITH_PACKAGES % json.dumps(packages), WORKER)
    worker_js = replace_once(worker_js, WORKER_LINK, WORKER_LINK_BATCHED, WORKER)
    worker_js = replace_once(worker_js, WORKER_APPLY, WORKER_APPLY_COMPILED, WORKER)
    return replace_once(worker_js, WORKER_INSTALL_STEP, WORKER_INSTALLED, WORKER)


def patch_page(html: str) -> str:
    """Panel's page with the worker started by boot.js, first thing in the head, and without unused bundles."""
    html = replace_once(html, "<head>", f'<head>\n    <script type="text/javascript" src="./{BOOT}"></script>', INDEX)
    worker = f'const pyodideWorker = new Worker("./{WORKER}");'
    html = replace_once(html, worker, "const pyodideWorker = mleStaticPage.worker;", INDEX)
    html = replace_once(html, "Bokeh.index.roots.map((v) => v.remove())", "mleStaticPage.removePrerendered()", INDEX)
    for bundle in UNUSED_BOKEH_BUNDLES:
        src = rf"https://cdn\.bokeh\.org/bokeh/release/{bundle}-[^\"]+"
        tag = re.compile(rf'\s*<script type="text/javascript" src="{src}"></script>')
        html = replace_once(html, tag, "", INDEX)
    return html


def build_id(out: Path) -> str:
    """A digest of the site's files: the service worker carries it, so a new build replaces the old one."""
    digest = hashlib.sha256()
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != SERVICE_WORKER:
            digest.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def make_light_and_fast(out: Path, wheel: Path, plan: InstallPlan) -> list[str]:
    """Rework panel convert's output in ``out`` (see the module docstring, steps 4 and 5); return the worker's
    package list."""
    wheels = out / WHEELS
    shipped = [path.name for path in fetch_shipped_wheels(plan, wheels)]
    shutil.copyfile(wheel, wheels / wheel.name)
    (out / RESOURCES).unlink()
    packages = worker_packages(plan, wheel.name, shipped)
    (out / WORKER).write_text(patch_worker((out / WORKER).read_text(encoding="utf-8"), packages), encoding="utf-8")
    (out / INDEX).write_text(patch_page((out / INDEX).read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copyfile(STATIC_PAGE / BOOT, out / BOOT)
    service_worker = (STATIC_PAGE / SERVICE_WORKER).read_text(encoding="utf-8")
    (out / SERVICE_WORKER).write_text(service_worker.replace("__BUILD_ID__", build_id(out)), encoding="utf-8")
    return packages


def loaded_packages(worker_js: str) -> list[str]:
    """The packages the page's worker gives ``loadPyodide``."""
    match = re.search(r"loadPyodide\(\{packages: (\[.*?\])\}\)", worker_js, re.DOTALL)
    if match is None:
        raise BuildError(f"no loadPyodide({{packages: [...]}}) call in {WORKER}")
    return json.loads(match.group(1))


def external_urls(html: str, worker_js: str) -> list[str]:
    """Files the page loads from other hosts by itself: scripts, stylesheets and icons named in the html
    (in tags or in the pre-rendered document's stylesheet lists), Pyodide, and the wheels given by URL.

    Not included: what those fetch in turn (fonts named in stylesheets, Pyodide's own files and packages).
    """
    found = re.findall(r"""https?://[^\s"'<>()\\]+""", html + "\n" + worker_js)
    assets = [url for url in found if urlparse(url).path.endswith(ASSET_SUFFIXES)]
    return sorted(set(assets))


def local_references(html: str) -> list[str]:
    """The ``src`` and ``href`` values of the page that name no host: files the site itself must serve."""
    references = re.findall(r"""\b(?:src|href)=["']([^"']+)["']""", html)
    return [ref for ref in references if not re.match(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)", ref)]


def add_favicon(out: Path) -> None:
    """Give the page the icon it asks for: the template links ``./favicon.ico``, which ``panel serve``
    answers and a static host would not. It is Panel's own icon, as on the served app."""
    if "./favicon.ico" in local_references((out / INDEX).read_text(encoding="utf-8")):
        shutil.copyfile(PANEL_DIST_DIR / "images" / "favicon.ico", out / "favicon.ico")


def check_site(out: Path, wheel: Path) -> list[str]:
    """Check the site is complete and consistent; return the worker's package list."""
    for name in (INDEX, WORKER, BOOT, SERVICE_WORKER, f"{WHEELS}/{wheel.name}"):
        if not (out / name).is_file():
            raise BuildError(f"{name} is missing from the build")
    html = (out / INDEX).read_text(encoding="utf-8")
    if f'src="./{BOOT}"' not in html or "new Worker(" in html:
        raise BuildError(f"{INDEX} must start the worker from {BOOT} only")
    if f'"./{WORKER}"' not in (out / BOOT).read_text(encoding="utf-8"):
        raise BuildError(f"{BOOT} does not start the worker ./{WORKER}")
    missing = [ref for ref in local_references(html) if not (out / ref.split("?")[0].removeprefix("./")).is_file()]
    if missing:
        raise BuildError(f"{INDEX} refers to files the build did not write: {missing}")
    if (out / WHEELS / wheel.name).read_bytes() != wheel.read_bytes():
        raise BuildError(f"{WHEELS}/{wheel.name} is not the wheel just built")
    worker_js = (out / WORKER).read_text(encoding="utf-8")
    if "micropip" in worker_js or RESOURCES in worker_js:
        raise BuildError(f"{WORKER} still installs with micropip or unpacks {RESOURCES}")
    packages = loaded_packages(worker_js)
    for package in packages:
        if package.startswith("./") and not (out / package).is_file():
            raise BuildError(f"the worker loads {package}, which the build did not write")
    if f"./{WHEELS}/{wheel.name}" not in packages:
        raise BuildError(f"the page does not install our wheel: {packages}")
    check_not_at_startup([p for p in packages if "/" not in p], "The worker's package list")
    if "scipy" in worker_js.lower():
        raise BuildError(f"{WORKER} names scipy")
    return packages


def replace_folder(new: Path, out: Path) -> None:
    """Put the finished build ``new`` at ``out``, replacing an empty folder or a previous build only."""
    if out.exists():
        previous_build = (out / INDEX).is_file() and (out / WORKER).is_file()
        if out.is_dir() and (previous_build or not any(out.iterdir())):
            shutil.rmtree(out)
        else:
            raise BuildError(f"{out} exists and is not a previous build: not overwriting it")
    new.rename(out)


def build(out: Path) -> StaticSite:
    """Build the static site into ``out`` and return what was built."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mle-explorer-wheel-") as wheel_dir:
        wheel = build_wheel(Path(wheel_dir))
        startup = startup_requirements(wheel_requirements(wheel))
        check_not_at_startup(startup, f"{wheel.name} (Requires-Dist)")
        plan = install_plan(startup)
        # Stage next to the output (same file system, so the final rename is atomic).
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a web server running as another user must read it
        try:
            convert(wheel, staging)
            (staging / f"{PAGE}.html").rename(staging / INDEX)
            add_favicon(staging)
            make_light_and_fast(staging, wheel, plan)
            packages = check_site(staging, wheel)
            html, worker_js = ((staging / name).read_text(encoding="utf-8") for name in (INDEX, WORKER))
            urls = external_urls(html, worker_js)
            replace_folder(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return StaticSite(
            out=out,
            wheel_name=wheel.name,
            wheel_size=wheel.stat().st_size,
            wheel_startup_requirements=startup,
            worker_packages=packages,
            external_urls=urls,
        )


def human(size: int) -> str:
    """A byte count for people: 1.2 MB, 35.0 kB, 812 B (powers of 1000)."""
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def report(site: StaticSite) -> str:
    """A summary of the build for the terminal."""
    files = site.files()
    lines = [f"Built the static site in {site.out}", ""]
    lines += [f"  {name:<60} {human(size):>9}" for name, size in files.items()]
    lines += [f"  {'total':<60} {human(sum(files.values())):>9}", ""]
    lines.append(f"{site.wheel_name} ({human(site.wheel_size)}) requires at start-up:")
    lines += [f"  {req}" for req in site.wheel_startup_requirements]
    lines += ["", "The page's worker installs, as Pyodide starts (nothing else; names are Pyodide's packages):"]
    lines += [f"  {package}" for package in site.worker_packages]
    lines += ["", "Not installed, though Panel or Bokeh require them (the app never imports them in the browser):"]
    lines += [f"  {name}: {why}" for name, why in NOT_INSTALLED.items()]
    lines += ["", "The page fetches from other hosts at first load (plus Pyodide's own files and packages):"]
    lines += [f"  {url}" for url in site.external_urls]
    lines += ["", f"Serve it with any static host, e.g.: python -m http.server -d {site.out}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    try:
        site = build(args.out)
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(report(site))
    return 0


if __name__ == "__main__":
    sys.exit(main())
