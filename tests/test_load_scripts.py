"""Smoke tests of the load test (``benchmarks/load_test.py``): two sessions for a few seconds against
``panel serve``, with no error and no observation crossing sessions; and the isolation check itself
reports another session's point. The soak's ``--collect-every-session`` setup script really switches off Panel's
wait for quiet before collecting. Also the page-open benchmark (``benchmarks/bench_page_open.py``): its
baseline is the page Panel would build root by root.
"""

from __future__ import annotations

import random
import sys
import types
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import bench_page_open  # noqa: E402
import load_test  # noqa: E402
import soak_test  # noqa: E402


@pytest.mark.timeout(300)
def test_two_sessions_for_a_few_seconds_have_no_errors_and_stay_isolated():
    result = load_test.run_detailed(sessions=2, duration=3.0, warmup=1.0)
    rows = {row["kind"]: row for row in result.rows}

    report = load_test.report(result)
    assert result.errors == 0, report
    assert not result.server_errors, report
    assert rows["open"]["count"] == 2, report
    assert sum(rows[kind]["count"] for kind in load_test.TARGET_KINDS) > 0, report
    assert rows["isolation"]["count"] > 0, report
    assert rows["isolation"]["errors"] == 0, report


class _StandInSession:
    """The models a Student touches, without a server."""

    def __init__(self):
        from bokeh.models import Button, ColumnDataSource, Div, Slider
        from bokeh.plotting import figure

        self._readout = Div(text='<span data-testid="log-likelihood">−17.535</span>')
        self._mu = Slider(start=0, end=4, value=0, step=0.01, title="μ (mean)")
        self._optimize = Button(label="Optimize: jump to the MLE")
        self._source = ColumnDataSource({"x": [2.3, 1.9, 2.5], "y": [0.0, 0.0, 0.0]})
        self._figure = figure()
        self.on_update = None

    def readout(self):
        return self._readout

    def slider(self, symbol):
        return self._mu

    def button(self, label_start):
        return self._optimize

    def observations(self):
        return self._source

    def figure(self):
        return self._figure


def test_isolation_check_names_the_session_a_foreign_point_came_from():
    session = _StandInSession()
    recorder = load_test.Recorder(recording=True)
    student = load_test.Student(2, session, recorder, random.Random(0))
    foreign = 2.1 + 6 * load_test.TAG_UNIT  # student 5's tag

    session.observations().data = {"x": [2.3, 1.9, 2.5, foreign], "y": [0.0] * 4}
    session.on_update()  # what the client calls after each update from the server
    student.final_check()

    leaks = recorder.errors.get("isolation", [])
    assert len(leaks) == 2, leaks
    assert "session 2 received 1 foreign value" in leaks[0]
    assert "owners [5]" in leaks[0]
    assert "ends with foreign value(s) [2.1000006" in leaks[1]
    assert "integrity" not in recorder.errors


def test_a_point_of_ones_own_is_not_a_leak():
    session = _StandInSession()
    recorder = load_test.Recorder(recording=True)
    student = load_test.Student(2, session, recorder, random.Random(0))
    own = 2.1 + 3 * load_test.TAG_UNIT
    student.allowed.add(own)
    student.expected.append(own)

    session.observations().data = {"x": [2.3, 1.9, 2.5, own], "y": [0.0] * 4}
    session.on_update()
    student.final_check()

    assert load_test.owner_of(own) == 2
    assert recorder.errors == {}


def test_a_lost_point_is_an_integrity_error_unless_its_action_timed_out():
    session = _StandInSession()
    recorder = load_test.Recorder(recording=True)
    student = load_test.Student(2, session, recorder, random.Random(0))
    lost, late = 2.1 + 3 * load_test.TAG_UNIT, 2.2 + 3 * load_test.TAG_UNIT
    student.allowed |= {lost, late}
    student.expected.append(lost)  # answered: the server must hold it
    student.unconfirmed.add(late)  # timed out: the server may hold it or not

    session.observations().data = {"x": [2.3, 1.9, 2.5, late], "y": [0.0] * 4}
    student.final_check()

    assert "isolation" not in recorder.errors
    assert len(recorder.errors["integrity"]) == 1
    assert f"missing [{lost}]" in recorder.errors["integrity"][0]


def test_the_page_open_benchmark_compares_the_same_page_built_with_one_walk_and_with_panels_many(monkeypatch):
    # What is built and reported is checked here, not how fast: one warm-up round, not two. Not none: the first
    # page built after one built outside a document (test_app_views) holds 2 ImportedStyleSheet models fewer.
    monkeypatch.setattr(bench_page_open, "WARMUP", 1)
    served, baseline, ratio = bench_page_open.benchmark_rows(rounds=1)
    assert served["walks"] == 1
    assert baseline["walks"] > 1, "the baseline must be Panel's root-by-root build"
    assert served["models"] == baseline["models"] > 100
    # With one round, the median of the per-round ratios is that round's: baseline time over served time.
    assert ratio["ratio"] == pytest.approx(baseline["total_ms"] / served["total_ms"], rel=1e-12)
    table = bench_page_open.table([served, baseline, ratio])
    assert "| as served (one walk) | " in table
    assert f"| {ratio['ratio']:.2f}× |" in table


def test_the_soak_s_collect_every_session_setup_makes_panel_collect_without_waiting(monkeypatch):
    import panel.io.document

    monkeypatch.setattr(panel.io.document, "GC_DEBOUNCE", panel.io.document.GC_DEBOUNCE)  # put back afterwards
    assert panel.io.document.GC_DEBOUNCE > 0
    exec(soak_test.COLLECT_EVERY_SESSION_SETUP, {})
    assert panel.io.document.GC_DEBOUNCE == 0


def test_the_soak_s_system_malloc_setup_gives_free_pages_back_after_full_collections_only():
    import gc

    namespace = {}
    exec(soak_test.SYSTEM_MALLOC_SETUP, namespace)
    try:
        trims = []
        namespace["libc"] = types.SimpleNamespace(malloc_trim=trims.append)
        assert namespace["give_back_free_pages"] in gc.callbacks
        gc.collect(0)
        assert trims == []
        gc.collect()
        assert trims == [0]
    finally:
        gc.callbacks.remove(namespace["give_back_free_pages"])
    assert soak_test.SYSTEM_MALLOC_ENVIRONMENT == {"PYTHONMALLOC": "malloc"}
