"""Build the static site of MLE Explorer: the app running in the browser on Pyodide, no server.

Run it from a checkout, with the project installed (``python -m pip install .``)::

    python tools/build_static.py              # writes dist/
    python tools/build_static.py --out DIR    # writes DIR/

Then serve the folder with any static host (``python -m http.server -d dist``) and open its root.

``panel convert`` embeds only the entry script (``app/main.py``) in the page, so the steps are:

1. build this project's wheel (``pip wheel . --no-deps``), which holds ``mle_core`` and ``app``;
2. check its requirements: micropip installs every ``Requires-Dist`` without an ``extra ==`` marker at
   start-up, so scipy must stay an extra;
3. ``panel convert app/main.py --to pyodide-worker --requirements <wheel>``: Panel packs the wheel into
   ``main.resources.zip`` and the page installs it from there. The conversion runs the app once, with the
   wheel first on ``sys.path``, to pre-render the page the student sees while Python loads;
4. rename ``main.html`` to ``index.html``, so a static host serves the app at the site's root, and add
   the ``favicon.ico`` the page links to (``panel serve`` answers that link itself);
5. check the output and print the files, their sizes, and what the page fetches from elsewhere.

The output folder is replaced only once the new build has passed its checks, and only if it is empty or
holds a previous build.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from panel.io.resources import DIST_DIR as PANEL_DIST_DIR

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "app" / "main.py"
PAGE = ENTRY.stem  # panel convert names its files after the script: main.js, main.resources.zip
INDEX = "index.html"
WORKER = f"{PAGE}.js"
RESOURCES = f"{PAGE}.resources.zip"
PACKED_WHEELS = "packed_wheels/"  # folder of the resources zip where Panel puts wheels

ASSET_SUFFIXES = (".js", ".css", ".png", ".svg", ".ico", ".json", ".whl", ".wasm", ".woff", ".woff2")

# Never installed at start-up: the page must stay light (see app/pyodide_support.py for loading later).
NOT_AT_STARTUP = {"scipy"}
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
class StaticSite:
    """What a build produced."""

    out: Path
    wheel_name: str
    wheel_size: int
    wheel_startup_requirements: list[str]
    page_requirements: list[str]
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


def build_wheel(wheel_dir: Path) -> Path:
    """Build this project's wheel into ``wheel_dir`` and return its path.

    Uses the installed build backend (hatchling) when there is one, so the build needs no download;
    otherwise pip fetches it into an isolated build environment.
    """
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--wheel-dir", str(wheel_dir), "-q"]
    if importlib.util.find_spec("hatchling") is not None:
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
    """Those of ``requirements`` that micropip installs with the wheel: no extra, markers true in Pyodide."""
    return [
        text
        for text in requirements
        if (requirement := Requirement(text)).marker is None or requirement.marker.evaluate(PYODIDE_ENVIRONMENT)
    ]


def check_not_at_startup(names: list[str], where: str) -> None:
    """Raise if any of ``names`` (requirement strings) would install a package kept out of start-up."""
    found = sorted(
        {canonicalize_name(Requirement(name).name) for name in names if not name.endswith(".whl")} & NOT_AT_STARTUP
    )
    if found:
        raise BuildError(
            f"{where} would install {', '.join(found)} when the page starts; keep it an optional extra "
            "in pyproject.toml and load it on demand (app/pyodide_support.py)"
        )


def convert(wheel: Path, out: Path) -> str:
    """Run ``panel convert`` on the entry script into ``out``; return its output."""
    command = [
        sys.executable, "-m", "panel", "convert", str(ENTRY),
        "--to", "pyodide-worker",
        "--out", str(out),
        "--requirements", str(wheel),
        # The app makes no HTTP requests from Python: skip the pyodide-http patch and its download.
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


def page_requirements(worker_js: str) -> list[str]:
    """The requirement list the page's worker passes to ``micropip.install``."""
    match = re.search(r"micropip\.install\((\[.*?\])\)", worker_js, re.DOTALL)
    if match is None:
        raise BuildError(f"no micropip.install([...]) call in {WORKER}")
    return ast.literal_eval(match.group(1))


def external_urls(html: str, worker_js: str) -> list[str]:
    """Files the page loads from other hosts by itself: scripts, stylesheets and icons named in the html
    (in tags or in the pre-rendered document's stylesheet lists), Pyodide, and the wheels given by URL.

    Not included: what those fetch in turn (fonts named in stylesheets, Pyodide's own files, the packages
    micropip resolves).
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
    """Check the converted site is complete and consistent; return the page's requirement list."""
    for name in (INDEX, WORKER, RESOURCES):
        if not (out / name).is_file():
            raise BuildError(f"{name} is missing from the build")
    html = (out / INDEX).read_text(encoding="utf-8")
    if f'new Worker("./{WORKER}")' not in html:
        raise BuildError(f"{INDEX} does not start the worker ./{WORKER}")
    missing = [ref for ref in local_references(html) if not (out / ref.split("?")[0].removeprefix("./")).is_file()]
    if missing:
        raise BuildError(f"{INDEX} refers to files the build did not write: {missing}")
    worker_js = (out / WORKER).read_text(encoding="utf-8")
    if RESOURCES not in worker_js:
        raise BuildError(f"{WORKER} does not unpack {RESOURCES}")
    with zipfile.ZipFile(out / RESOURCES) as archive:
        packed = archive.namelist()
        if f"{PACKED_WHEELS}{wheel.name}" not in packed:
            raise BuildError(f"{RESOURCES} lacks {PACKED_WHEELS}{wheel.name}: it holds {packed}")
        if archive.read(f"{PACKED_WHEELS}{wheel.name}") != wheel.read_bytes():
            raise BuildError(f"the wheel packed in {RESOURCES} is not the one just built")
    requirements = page_requirements(worker_js)
    if f"emfs:{PACKED_WHEELS}{wheel.name}" not in requirements:
        raise BuildError(f"the page does not install our wheel: {requirements}")
    check_not_at_startup(requirements, "The page's requirement list")
    return requirements


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
        # Stage next to the output (same file system, so the final rename is atomic).
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a web server running as another user must read it
        try:
            convert(wheel, staging)
            (staging / f"{PAGE}.html").rename(staging / INDEX)
            add_favicon(staging)
            requirements = check_site(staging, wheel)
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
            page_requirements=requirements,
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
    lines += [f"  {name:<40} {human(size):>9}" for name, size in files.items()]
    lines += [f"  {'total':<40} {human(sum(files.values())):>9}", ""]
    lines.append(f"{site.wheel_name} ({human(site.wheel_size)}), packed in {RESOURCES}, requires at start-up:")
    lines += [f"  {req}" for req in site.wheel_startup_requirements]
    lines += ["", "The page's worker installs with micropip:"]
    lines += [f"  {req}" for req in site.page_requirements]
    lines += ["", "The page fetches from other hosts at first load (plus the packages micropip resolves):"]
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
