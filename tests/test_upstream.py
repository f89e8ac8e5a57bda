"""The upstream behaviours ``mle_explorer.upstream`` works around are still there, and what it relies on still exists.

Each test fails when Panel, Bokeh or param change what a workaround depends on: either the gap is fixed upstream
(the workaround may go; its report in docs/upstream-reports.md can be closed) or the private name it uses moved (the
workaround must follow). Run this file first after upgrading any of them, then update ``VERIFIED_WITH``.
"""

from __future__ import annotations

import gc
import inspect
import logging
import re
import warnings
import weakref
import zipfile
from pathlib import Path
from types import SimpleNamespace

import bokeh
import numpy as np
import panel as pn
import param
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnsPatchedEvent
from bokeh.models import ColumnDataSource, Slider
from bokeh.util.warnings import BokehUserWarning
from panel.io.location import Location
from panel.io.state import set_curdoc
from panel.links import Callback
from panel.reactive import Syncable

from mle_explorer import upstream
from mle_explorer.upstream import (
    LIVE_SLIDER_DEBOUNCE_MS,
    PANEL_DEBOUNCE_MS,
    VERIFIED_WITH,
    LenientLocation,
    LiveHTML,
    SessionPage,
    SizeLimitedFileDropper,
    UpstreamVersionWarning,
    check_browser_value,
    patchable_column,
    show_in_browser,
    unverified_versions,
    warn_about_unverified_versions,
)
from mle_explorer.widgets import GuardedIntInput, GuardedSelect, LiveFloatSlider


# --- the version check ----------------------------------------------------------------------------------
def test_the_installed_versions_are_the_ones_the_workarounds_were_verified_with():
    # Fails after an upgrade on purpose: once this file passes with the new versions, update VERIFIED_WITH.
    assert unverified_versions() == {}, f"verified with {VERIFIED_WITH}; check the workarounds, then update it"


def test_another_version_is_a_warning_naming_the_library_not_an_error():
    installed = {"panel": "1.10.0", "bokeh": VERIFIED_WITH["bokeh"], "param": "2.4.9"}
    with pytest.warns(UpstreamVersionWarning, match=r"panel 1\.9, but panel 1\.10\.0 is installed") as caught:
        warn_about_unverified_versions(installed)
    assert len(caught) == 1, "param 2.4.9 is a release of the verified 2.4"
    assert unverified_versions({**installed, "panel": "1.9.4", "param": "2.40.0"}) == {"param": ("2.40.0", "2.4")}
    assert unverified_versions({**installed, "panel": "1.9.5", "param": "2.4.2"}) == {}  # patch releases


def test_importing_the_wall_with_the_verified_versions_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UpstreamVersionWarning)
        warn_about_unverified_versions()


# --- values from the browser ----------------------------------------------------------------------------
def rendered(widget):
    """``widget`` and its Bokeh model, rendered as Panel renders it for a page."""
    return widget, widget.get_root(Document())


def test_panel_still_raises_for_a_browser_value_the_widget_cannot_take():
    # The gap RefusesBrowserValues closes: Panel logs "Callback failed" with a traceback and raises.
    logged = []
    handler = logging.Handler()
    handler.emit = logged.append
    log = logging.getLogger("panel.reactive")
    log.addHandler(handler)
    try:
        with pytest.raises(ValueError, match="not in list"):
            pn.widgets.Select(options=["a", "b"])._process_events({"value": "zzz"})
    finally:
        log.removeHandler(handler)
    assert [record.getMessage().split(" for ")[0] for record in logged if record.exc_info] == ["Callback failed"]


def test_every_change_from_the_browser_comes_through_process_events():
    # A change of the Bokeh model (as the browser makes it) reaches the widget through ``_process_events``, where
    # RefusesBrowserValues looks at it first: refused, the model is put back.
    select, model = rendered(GuardedSelect(options=["a", "b"], value="a"))
    model.value = "zzz"
    assert select.value == "a"
    assert "'zzz' was refused" in select.refusal
    assert model.value == "a", "show_in_browser put the page back"
    model.value = "b"
    assert select.value == "b"


def test_check_browser_value_raises_what_panel_would_raise_and_nothing_for_a_good_value():
    select = pn.widgets.Select(options=["a", "b"])
    with pytest.raises(ValueError, match="not in list"):  # the widget's conversion of the browser's property
        check_browser_value(select, "value", "zzz")
    checkbox = pn.widgets.Checkbox()
    with pytest.raises(ValueError, match="must be True or False"):  # the parameter's own check
        check_browser_value(checkbox, "value", "abc")
    check_browser_value(select, "value", "b")
    check_browser_value(checkbox, "value", True)
    assert list(inspect.signature(param.Parameter._validate).parameters) == ["self", "val"]
    assert list(inspect.signature(Syncable._process_property_change).parameters) == ["self", "props"]


def test_show_in_browser_sends_the_current_value_to_every_view():
    slider = pn.widgets.FloatSlider(start=0, end=1, value=0.25)
    models = [slider.get_root(Document()) for _ in range(2)]
    for model in models:
        model._property_values["value"] = 0.75  # what the page shows: a value the server refused
    slider.value = 0.25  # unchanged: Panel sends nothing
    assert [model.value for model in models] == [0.75, 0.75]
    show_in_browser(slider, ["value"])
    assert [model.value for model in models] == [0.25, 0.25]


def test_a_range_kept_on_the_server_does_not_reach_the_browser_s_box():
    # Bokeh's NumericInput would drop a typed value beyond low/high without a word: the range stays on the server.
    plain = pn.widgets.IntInput(start=1, end=10).get_root(Document())
    guarded = GuardedIntInput(start=1, end=10).get_root(Document())
    assert (plain.low, plain.high) == (1, 10)
    assert (guarded.low, guarded.high) == (None, None)


# --- sliders --------------------------------------------------------------------------------------------
class _ServerDocument:
    """Enough of a served document for Panel's ``_server_change``: a session, and timeouts recorded."""

    session_context = SimpleNamespace()

    def __init__(self):
        self.delays: list[int] = []

    def add_timeout_callback(self, callback, milliseconds):
        self.delays.append(milliseconds)


def delay_of_a_browser_change(slider) -> int:
    document = _ServerDocument()
    try:
        slider._server_change(document, "ref", None, "value", 0.0, 0.5)
    finally:
        slider._events.clear()
        pn.state._change_callbacks.pop(document, None)
    (delay,) = document.delays
    return delay


def test_panel_still_delays_a_browser_change_by_50_ms_and_the_live_slider_by_5():
    assert Syncable._debounce == PANEL_DEBOUNCE_MS == 50
    assert delay_of_a_browser_change(pn.widgets.FloatSlider(start=0, end=1)) == PANEL_DEBOUNCE_MS
    assert delay_of_a_browser_change(LiveFloatSlider(start=0, end=1)) == LIVE_SLIDER_DEBOUNCE_MS == 5
    assert "value" not in Syncable._priority_changes


def test_panel_still_flashes_the_busy_indicator_for_a_slider_step_but_not_the_live_slider_s(monkeypatch):
    busy = []
    monkeypatch.setattr(pn.state, "_add_busy_event", lambda event_id: busy.append(event_id))
    monkeypatch.setattr(pn.state, "_remove_busy_event", lambda event_id: None)
    pn.widgets.FloatSlider(start=0, end=1)._process_events({"value": 0.5})
    assert len(busy) == 1
    LiveFloatSlider(start=0, end=1)._process_events({"value": 0.5})
    assert len(busy) == 1


def test_panel_still_listens_for_value_throttled_and_the_live_slider_does_not():
    _, plain = rendered(pn.widgets.FloatSlider(start=0, end=1))
    _, live = rendered(LiveFloatSlider(start=0, end=1))
    assert {"value", "value_throttled"} <= set(plain._callbacks)
    assert "value" in live._callbacks
    assert "value_throttled" not in live._callbacks


def test_a_live_slider_step_holds_the_document_while_the_app_reacts():
    slider = LiveFloatSlider(start=0, end=1)
    document = Document()
    held = []
    slider.param.watch(lambda _: held.append(document.callbacks.hold_value), "value")
    with set_curdoc(document):
        slider._process_events({"value": 0.5})
    assert held == ["combine"]


def test_panel_still_asks_the_design_for_every_change_and_the_live_slider_only_for_its_stylesheets(monkeypatch):
    from panel.theme.base import Design

    asked = []
    original = Design.params
    monkeypatch.setattr(Design, "params", lambda self, *a, **k: asked.append(1) or original(self, *a, **k))
    plain = pn.widgets.FloatSlider(start=0, end=1, design=pn.theme.Bootstrap)
    live = LiveFloatSlider(start=0, end=1, design=pn.theme.Bootstrap)
    events = [param.parameterized.Event(what="value", name="value", obj=None, cls=None, old=0, new=0.5, type=None)]
    expected = plain._update_properties(*events, doc=None)
    assert len(asked) == 1
    asked.clear()
    assert live._update_properties(*events, doc=None) == expected == {"value": 0.5}
    assert not asked
    stylesheet = param.parameterized.Event(
        what="value", name="stylesheets", obj=None, cls=None, old=[], new=["a {}"], type=None
    )
    sheets = [
        [getattr(sheet, "url", sheet) for sheet in widget._update_properties(stylesheet, doc=None)["stylesheets"]]
        for widget in (live, plain)
    ]
    assert sheets[0] == sheets[1]
    assert "a {}" in sheets[0]
    assert len(asked) == 2


# --- HTML panes -----------------------------------------------------------------------------------------
def test_panel_s_html_pane_still_reassigns_every_property_and_live_html_only_the_text(monkeypatch):
    updates = []

    def record(pane):
        model = pane.get_root(Document())
        original = type(model).update
        monkeypatch.setattr(
            type(model), "update", lambda self, **props: updates.append(set(props)) or original(self, **props)
        )
        return model

    plain = pn.pane.HTML("a")
    record(plain)
    plain.object = "b"
    assert len(updates) == 1
    assert {"text", "stylesheets", "styles"} <= updates[0]
    live = LiveHTML("a")
    model = record(live)
    live.object = "b <c>"
    assert len(updates) == 1, "LiveHTML sets the text alone"
    assert model.text == plain._transform_object("b <c>")["object"]


# --- uploads --------------------------------------------------------------------------------------------
def upload(name: str, chunk: int, total: int, data) -> SimpleNamespace:
    """A FileDropper upload event, as Panel receives it from the browser."""
    data = {"name": name, "chunk": chunk, "total_chunks": total, "data": data, "type": "text/csv"}
    return SimpleNamespace(event_name="upload_event", data=data)


def test_panel_s_file_dropper_still_keeps_any_size_a_client_sends():
    dropper = pn.widgets.FileDropper(max_file_size="1KB")
    for chunk in (1, 2, 3):
        dropper._process_event(upload("big.csv", chunk, 4, b"x" * 1000))
    assert sum(map(len, dropper._file_buffer["big.csv"])) == 3000, "max_file_size is checked in the browser only"
    dropper._process_event(upload("big.csv", 4, 4, b"x" * 1000))
    assert len(dropper.value["big.csv"]) == 4000


def test_the_size_limited_dropper_stops_keeping_a_file_past_its_limit():
    dropper = SizeLimitedFileDropper(max_bytes=2500)
    for chunk in (1, 2, 3, 4):
        dropper._process_event(upload("big.csv", chunk, 4, b"x" * 1000))
    assert dropper._file_buffer == {}
    assert dropper.value == {}
    assert dropper.refused == "big.csv"
    dropper._process_event(upload("small.csv", 1, 1, b"1\n2\n"))
    assert (dropper.value, dropper.latest) == ({"small.csv": "1\n2\n"}, "small.csv")


# --- the page and its session ---------------------------------------------------------------------------
class _SessionContext:
    """What a template's ``_server_destroy`` reads of a session that ends."""

    def __init__(self, document):
        self._document = document


@pytest.mark.parametrize(("template", "left_behind"), [(pn.template.BootstrapTemplate, 1), (SessionPage, 0)])
def test_panel_still_keeps_a_template_s_fake_root_after_its_session_and_the_session_page_does_not(
    template, left_behind
):
    before = list(pn.state._fake_roots)
    page = template(main=[pn.pane.Markdown("x")])
    document = Document()
    try:
        page.server_doc(document)
        added = [ref for ref in pn.state._fake_roots if ref not in before]
        assert len(added) == 1
        assert page._refs == ({} if left_behind else {document: added[0]}), "Panel never fills _refs itself"
        page._server_destroy(_SessionContext(document))
        assert len([ref for ref in pn.state._fake_roots if ref not in before]) == left_behind
    finally:
        for ref in [ref for ref in pn.state._fake_roots if ref not in before]:
            pn.state._fake_roots.remove(ref)
            pn.state._views.pop(ref, None)


def test_panel_s_location_still_refuses_a_query_of_more_than_4300_digits():
    search = "?x=" + "1" * 5000
    with pytest.raises(ValueError, match="4300 digits"):
        _ = Location(search=search).query_params
    assert LenientLocation(search=search).query_params == {"x": "1" * 5000}


def theme_rules(theme: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of every rule in the stylesheets Panel links for a Bootstrap page in ``theme``."""
    chosen = pn.theme.Bootstrap(theme=theme).theme
    text = "".join(Path(path).read_text(encoding="utf-8") for path in (chosen.base_css, chosen.css))
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return [
        ([s.strip() for s in selectors.split(",")], body)
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text)
    ]


@pytest.mark.parametrize("theme", ["default", "dark"])
def test_panel_s_theme_stylesheets_still_set_their_colours_on_root_whatever_the_colour_mode(theme):
    # theme_variables_by_mode exists because these rules ignore the page's data-bs-theme: a page built in one theme
    # keeps its colours when the attribute changes. Once Panel scopes them by the attribute, it can go.
    setting = [selectors for selectors, body in theme_rules(theme) if "--panel-background-color:" in body]
    setting += [selectors for selectors, body in theme_rules(theme) if "--bs-body-bg:" in body]
    assert setting, "Panel's theme no longer sets the page's background colour in these files"
    assert all(":root" in selectors for selectors in setting), setting


def test_the_colour_variables_by_mode_are_each_theme_s_own_under_its_attribute():
    css = upstream.theme_variables_by_mode(pn.theme.Bootstrap, {"default": "light", "dark": "dark"})
    light, dark = css.splitlines()
    assert light.startswith(':root[data-bs-theme="light"] {')
    assert dark.startswith(':root[data-bs-theme="dark"] {')
    for theme, rule in (("default", light), ("dark", dark)):
        declared = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;{}]+);", "".join(body for _, body in theme_rules(theme))))
        for name in ("--panel-background-color", "--panel-on-background-color", "--bs-body-bg", "--bs-body-color"):
            assert f"{name}: {' '.join(declared[name].split())};" in rule, (theme, name)
    assert "--bs-heading-color: initial;" in light, "a variable only the dark theme sets is unset in the light one"
    assert "--panel-primary-color" not in css, "a variable both themes set alike is left to the page's own stylesheet"


def test_panel_s_registry_of_js_callbacks_still_keeps_a_source_whose_args_lead_back_to_it():
    # release_js_callbacks_when_the_session_ends pops the entry: nothing else ever does.
    button = pn.widgets.Button(label="skip")
    button.js_on_click(args={"target": pn.Column(button)}, code="")
    reference = weakref.ref(button)
    del button
    gc.collect()
    assert reference() is not None, "the registry's value holds its own key"
    assert reference() in Callback.registry
    Callback.registry.pop(reference())
    gc.collect()
    assert reference() is None


def test_bokeh_s_session_still_keeps_its_websockets_where_send_small_messages_at_once_looks():
    from bokeh.server.connection import ServerConnection
    from bokeh.server.session import ServerSession
    from bokeh.server.views.ws import WSHandler
    from tornado.websocket import WebSocketHandler

    session = ServerSession("id", Document(), io_loop=None, token="t")
    assert session._subscribed_connections == set()
    socket = object()
    connection = ServerConnection(protocol=None, socket=socket, application_context=None, session=session)
    assert connection._socket is socket
    assert issubclass(WSHandler, WebSocketHandler)
    assert callable(WebSocketHandler.set_nodelay)
    assert "set_nodelay" not in inspect.getsource(WSHandler), "Bokeh now sets it itself: drop the workaround"


def test_send_small_messages_at_once_turns_nagle_off_on_each_of_the_session_s_sockets(monkeypatch):
    class Socket:
        nodelay = False

        def set_nodelay(self, value):
            self.nodelay = value

    sockets = [Socket(), Socket()]
    session = SimpleNamespace(_subscribed_connections=[SimpleNamespace(_socket=s) for s in sockets])
    document = SimpleNamespace(session_context=SimpleNamespace(session=session))
    monkeypatch.setattr(type(pn.state), "curdoc", property(lambda self: document))
    upstream.send_small_messages_at_once()
    assert [s.nodelay for s in sockets] == [True, True]


# --- Bokeh's data sources and log -----------------------------------------------------------------------
def test_bokeh_still_skips_a_patch_of_a_read_only_column_but_sends_it_to_the_browser():
    values = np.array([1.0, 2.0, 3.0])
    values.flags.writeable = False
    for column, kept in [(values, 1.0), (patchable_column(values), 9.0)]:
        source = ColumnDataSource({"x": column})
        document = Document()
        document.add_root(source)
        sent = []
        document.on_change(lambda event, sent=sent: sent.append(event))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            source.patch({"x": [(0, 9.0)]})
        assert source.data["x"][0] == kept
        assert any(isinstance(event, ColumnsPatchedEvent) for event in sent), "the browser gets the patch either way"
        assert [w.category for w in caught] == ([BokehUserWarning] if kept == 1.0 else [])
    assert values[0] == 1.0, "a patch of the copy leaves the caller's array alone"


def test_bokeh_still_refuses_a_bad_value_with_the_message_the_log_filter_looks_for():
    slider = Slider(start=0, end=1, value=0.5)
    with pytest.raises(ValueError, match=r"^failed to validate"):
        slider.value = "abc"


# --- BokehJS --------------------------------------------------------------------------------------------
BOKEH_JS = Path(bokeh.__file__).parent / "server" / "static" / "js"
PANEL_JS = Path(pn.__file__).parent / "dist" / "panel.js"

#: (bundle, class, what accessible_bokeh_views.js uses of it, as the bundle writes it).
BOKEHJS_USES = [
    (BOKEH_JS / "bokeh.js", "DOMView", ["rerender() {", "r_after_render() {"]),
    (BOKEH_JS / "bokeh.js", "LayoutDOMView", ["async update_children() {"]),
    (BOKEH_JS / "bokeh.js", "OnOffButtonView", ["_toggle_active() {", "tap() {"]),
    (
        BOKEH_JS / "bokeh.js",
        "TabsView",
        [
            "_update_headers() {",
            "change_active(i) {",
            "update_active() {",
            "this.header_els =",
            "this.headers_wrapper_el =",
        ],
    ),
    (BOKEH_JS / "bokeh.js", "PlotView", ["this.canvas_view ="]),
    (BOKEH_JS / "bokeh-widgets.js", "AbstractSliderView", ["_change(values) {", "this.slider_el ="]),
    (BOKEH_JS / "bokeh-widgets.js", "BaseNumericalSliderView", ["pretty(value) {"]),
    (BOKEH_JS / "bokeh-widgets.js", "SelectView", ["_update_value() {", "this.input_el ="]),
    (PANEL_JS, "CardView", ["async update_children() {", "this.button_el ="]),
    (PANEL_JS, "TabsView", ["update_active() {"]),
    (PANEL_JS, "FileDownloadView", ["this.anchor_el =", "this.button_el ="]),
]


def class_body(bundle: str, name: str) -> str:
    """The body of ``class name extends …`` in a BokehJS (or Panel) bundle: from its line to the brace that ends it."""
    match = re.search(rf"\n( *)class {name} extends [^\n]*\{{\n(.*?)\n\1\}}", bundle, re.DOTALL)
    assert match is not None, f"no class {name}"
    return match.group(2)


@pytest.mark.parametrize(("bundle", "name", "uses"), BOKEHJS_USES, ids=[f"{b.name}:{n}" for b, n, _ in BOKEHJS_USES])
def test_bokehjs_still_has_what_the_accessibility_mends_patch_and_call(bundle, name, uses):
    body = class_body(bundle.read_text(encoding="utf-8"), name)
    missing = [use for use in uses if use not in body]
    assert not missing, f"{name} in {bundle.name} no longer has {missing}: accessible_bokeh_views.js must follow"


def test_bokehjs_still_offers_its_dom_view_module_by_name():
    assert '"core/dom_view":' in (BOKEH_JS / "bokeh.js").read_text(encoding="utf-8")


# --- files of custom components -------------------------------------------------------------------------
def test_panel_still_runs_a_component_s_esm_path_as_code_when_its_module_comes_from_a_zip(tmp_path, monkeypatch):
    # Why mle_explorer.assets hands Panel the files' text: the static build imports the app from its wheel (a zip).
    archive = tmp_path / "components.zip"
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr(
            "zipped_component.py",
            "from panel.custom import JSComponent\nclass Zipped(JSComponent):\n    _esm = 'zipped.js'\n",
        )
        files.writestr("zipped.js", "export function render() { return document.createElement('span') }\n")
    monkeypatch.syspath_prepend(str(archive))
    from zipped_component import Zipped

    assert Zipped._render_esm() == "zipped.js", "Panel now reads it from the zip: a path would do"


def test_the_app_s_components_carry_their_javascript_and_css_as_text():
    from mle_explorer.classroom import GuidedTour
    from mle_explorer.upstream import AccessibleBokehViews

    for component in (GuidedTour, AccessibleBokehViews):
        assert "export function render(" in component._render_esm()
    assert ".tour {" in GuidedTour._stylesheets[0]


# --- the static page's web worker -----------------------------------------------------------------------------
# settle_before_first_render and use_the_pages_copies_of_panel_assets are tested against Panel's behaviour in
# tests/test_static_build.py (the held event the page never receives; the jsDelivr addresses), and the whole
# worker in tests/browser/test_static_page.py. Here: the private names link_to_the_page and apply_the_pages_change
# call, so that a release that renames one fails here rather than in a student's browser.
def test_panel_s_worker_still_has_the_functions_the_static_page_s_link_calls():
    import ast
    import importlib.util
    import inspect
    from pathlib import Path

    from panel.io.state import state

    # panel.io.pyodide imports the browser's ``js`` module, so it is read, not imported, here.
    source = Path(importlib.util.find_spec("panel.io.pyodide").origin).read_text()
    functions = {
        node.name: [argument.arg for argument in node.args.args]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
    }
    assert functions["_process_document_events"] == ["doc", "events"]
    assert functions["_convert_json_patch"] == ["json_patch"]
    assert re.search(r"^_dict_converter = ", source, re.MULTILINE)  # a JS function, made when the worker starts
    assert list(inspect.signature(state._schedule_on_load).parameters)[:1] == ["doc"]
    # What link_to_the_page batches: Panel's own link still serializes each event alone.
    link = ast.get_source_segment(
        source, next(node for node in ast.walk(ast.parse(source)) if getattr(node, "name", None) == "_link_docs_worker")
    )
    assert "_process_document_events(doc, [event])" in link
