"""What opening a page costs the server: building a session's page into its Bokeh document, then sending it.

Run ``python benchmarks/bench_page_open.py`` (about a minute and a half). In this process, with no server, it builds
the page a session gets (``mle_explorer.explorer.create_app()`` then ``server_doc`` into a fresh ``Document``, with
``pn.state.curdoc`` set to it as the server does) and serializes the document as the reply to the
browser's first request (``PULL-DOC-REPLY``). It prints the medians of interleaved rounds of:

- **as served**: the page as the app builds it, under ``document.models.freeze()``
  (``mle_explorer.classroom.SessionPage``);
- **baseline**: the same page added to its document by Panel's own template code (``BootstrapTemplate._init_doc``),
  so Bokeh walks every model of the page again after each root Panel adds; measured in the same run, interleaved,
  because this machine's speed varies.

The server's own CPU per opened session (HTTP, websocket and callbacks included) is measured by
``python benchmarks/load_test.py --costs``.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # app, when run as a script

import panel as pn
from bokeh.document import Document
from bokeh.protocol import Protocol
from panel.io.state import set_curdoc

from mle_explorer.explorer import create_app

ROUNDS = 15
WARMUP = 2


def open_page(frozen: bool) -> dict[str, Any]:
    """Build one session's page into a new document and serialize it; return the times (s) and counts."""
    document = Document()
    walks = 0
    recompute = document.models.recompute

    def counted_recompute() -> None:
        nonlocal walks
        walks += 1
        recompute()

    document.models.recompute = counted_recompute
    started = time.perf_counter()
    with set_curdoc(document):
        page = create_app()
        if not frozen:
            # Panel's own template code, without SessionPage's freeze (Bokeh's own freezes stay).
            page._init_doc = functools.partial(pn.template.BootstrapTemplate._init_doc, page)
        page.server_doc(document)
    built = time.perf_counter()
    Protocol().create("PULL-DOC-REPLY", "request", document)
    sent = time.perf_counter()
    return {"build_s": built - started, "send_s": sent - built, "walks": walks, "models": len(document.models)}


def benchmark_rows(rounds: int = ROUNDS) -> list[dict[str, Any]]:
    """Interleaved rounds of both variants; medians of each time and the median per-round ratio."""
    for _ in range(WARMUP):
        open_page(True), open_page(False)
    samples: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for _ in range(rounds):
        for frozen in (True, False):
            gc.collect()
            samples[frozen].append(open_page(frozen))
    rows = []
    for frozen, label in ((True, "as served (one walk)"), (False, "baseline (Panel's root-by-root walks)")):
        mine = samples[frozen]
        rows.append(
            {
                "variant": label,
                "models": mine[0]["models"],
                "walks": mine[0]["walks"],
                "build_ms": 1e3 * statistics.median(s["build_s"] for s in mine),
                "send_ms": 1e3 * statistics.median(s["send_s"] for s in mine),
                "total_ms": 1e3 * statistics.median(s["build_s"] + s["send_s"] for s in mine),
            }
        )
    ratios = [
        (base["build_s"] + base["send_s"]) / (ours["build_s"] + ours["send_s"])
        for ours, base in zip(samples[True], samples[False], strict=True)
    ]
    rows.append({"variant": "baseline / as served (median of per-round ratios)", "ratio": statistics.median(ratios)})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| page build | Bokeh models | walks over the models | build ms | serialize ms | total ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "ratio" in row:
            lines.append(f"| {row['variant']} | | | | | {row['ratio']:.2f}× |")
        else:
            lines.append(
                f"| {row['variant']} | {row['models']} | {row['walks']} | {row['build_ms']:.0f} | "
                f"{row['send_ms']:.0f} | {row['total_ms']:.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, panel {version('panel')}, bokeh {version('bokeh')}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; medians of {args.rounds} rounds"
    )
    print()
    print(table(benchmark_rows(args.rounds)))


if __name__ == "__main__":
    main()
