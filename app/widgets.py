"""Small widget variants the explorer needs."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import ClassVar

import panel as pn
import param
from panel.custom import JSComponent


class RefusesBadValues(pn.widgets.Widget):
    """Mixed into a widget (listed before it): a value from the browser that the widget cannot take is
    refused, the page is put back, and ``refusal`` says what was refused (see ``refuse_bad_values``).

    A ``Widget`` subclass rather than a plain mixin, so that Panel merges its ``_rename`` (``refusal``
    stays on the Python side) with the widget's own. Subclasses say what they refuse in ``_refusal``.
    """

    refusal = param.String(default="", doc="Why the latest value from the browser was refused ('' if none).")

    _rename: ClassVar[dict[str, None]] = {"refusal": None}

    __abstract = True

    def _process_events(self, events):
        events = refuse_bad_values(self, events)
        if events:
            super()._process_events(events)

    def _refusal(self, name: str, value) -> str | None:
        """Return why ``value`` for property ``name`` is refused, or None to let the widget's own checks decide."""
        return None


class LiveFloatSlider(RefusesBadValues, pn.widgets.FloatSlider):
    """A ``FloatSlider`` tuned so that the plot and the readout follow it closely.

    Panel delays widget changes coming from the browser by ``Syncable._debounce`` (50 ms) to batch
    bursts; for a slider that drives a plot, that delay was most of the latency a student felt. 5 ms
    keeps the change an ordinary document callback (holding the document lock, so plain Bokeh models
    can be updated from it; ``_priority_changes`` would run it as a bare asyncio task without the
    lock, and updating a ColumnDataSource from there fails) and lets the server finish acknowledging
    the browser's message first, so the reply is written at once instead of queued behind that write
    (measured with ``benchmarks/bench_browser.py``: 0 ms gave a slower median than 5 ms).
    """

    _debounce: ClassVar[int] = 5

    # A slider step takes milliseconds: flashing the page's busy indicator for it costs more than the
    # step itself (a round of updates to every indicator) and tells the student nothing.
    _busy__ignore: ClassVar[list[str]] = ["value", "value_throttled"]

    @property
    def _linked_properties(self) -> tuple[str, ...]:
        # The app follows ``value`` while dragging; the extra ``value_throttled`` message the browser
        # sends on release (and on every key press) would only cost the server a second round.
        return tuple(name for name in super()._linked_properties if name != "value_throttled")

    def _process_events(self, events):
        # Everything a slider step changes (curve, per-point densities, readout) goes to the browser
        # as one message, so the page updates once rather than view by view.
        with pn.io.hold():
            super()._process_events(events)

    def _refusal(self, name: str, value) -> str | None:
        if name not in ("value", "value_throttled"):
            return None
        if not _is_number(value) or not self.start <= value <= self.end:
            return f"{value!r} was refused: it takes {describe_range(self.start, self.end)}"
        return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def refuse_bad_values(widget, events: dict) -> dict:
    """Return the ``events`` from the browser that ``widget`` can take; refuse the others.

    Panel would raise (and log a traceback) for a value the widget's parameters or the parameter it
    is linked to do not allow: NaN, ±inf or a number beyond a slider's ends, text in a number box, an
    option a selector does not have. Here such a value is dropped, the page is put back to the
    widget's current value, and ``widget.refusal`` says what was refused (triggered even if unchanged).
    """
    refused = {}
    for name, value in events.items():
        try:
            reason = widget._refusal(name, value)
            if reason is None:
                for key, converted in widget._process_property_change({name: value}).items():
                    widget.param[key]._validate(converted)
        except (TypeError, ValueError, KeyError) as error:
            reason = f"{value!r} was refused ({error})"
        if reason is not None:
            refused[name] = reason
    if not refused:
        return events
    current = widget._process_param_change({name: getattr(widget, name) for name in refused if name in widget.param})
    for ref, (model, _) in list(widget._models.items()):
        widget._apply_update({}, dict(current), model, ref)
    with param.discard_events(widget):
        widget.refusal = f"{widget.label or widget.name}: {'; '.join(refused.values())}. Nothing was changed."
    widget.param.trigger("refusal")
    return {name: value for name, value in events.items() if name not in refused}


class GuardedSelect(RefusesBadValues, pn.widgets.Select):
    """A ``Select`` that refuses an option the browser sends that it does not have."""

    def _refusal(self, name: str, value) -> str | None:
        if name == "value" and value not in self.labels and value not in self.values:
            return f"{value!r} was refused: it is not one of the choices"
        return None


def _range(widget) -> tuple[float, float]:
    """The widget's (start, end), with an open end as ∓∞."""
    return (-math.inf if widget.start is None else widget.start, math.inf if widget.end is None else widget.end)


def describe_range(low: float, high: float, kind: str = "numbers") -> str:
    """Say which ``kind`` of values lie in [low, high] ("numbers from 0 to 1", "whole numbers from 1 up")."""
    if math.isfinite(low) and math.isfinite(high):
        return f"{kind} from {low:,g} to {high:,g}"
    if math.isfinite(low):
        return f"{kind} from {low:,g} up"
    if math.isfinite(high):
        return f"{kind} up to {high:,g}"
    return f"finite {kind}"


class GuardedIntInput(RefusesBadValues, pn.widgets.IntInput):
    """An ``IntInput`` that refuses a value from the browser outside its range or not a whole number.

    The range stays on the server: given ``low``/``high``, the browser's box dropped a typed value beyond
    them without a word (the box showed it, the app kept the old one and used it).
    """

    _rename: ClassVar[dict[str, str | None]] = {"start": None, "end": None}

    def _refusal(self, name: str, value) -> str | None:
        if name != "value" or value is None:
            return None
        low, high = _range(self)
        if not _is_number(value) or value != int(value) or not low <= value <= high:
            return f"{value!r} was refused: it takes {describe_range(low, high, 'whole numbers')}"
        return None


class GuardedFloatInput(RefusesBadValues, pn.widgets.FloatInput):
    """A ``FloatInput`` that refuses a value from the browser outside its range or not a finite number
    (an empty box, ``None``, is allowed: whoever reads the value says what it needs). As for
    ``GuardedIntInput``, the range is checked on the server, not by the browser's box."""

    _rename: ClassVar[dict[str, str | None]] = {"start": None, "end": None}

    def _refusal(self, name: str, value) -> str | None:
        if name != "value" or value is None:
            return None
        low, high = _range(self)
        if not _is_number(value) or not low <= value <= high:
            return f"{value!r} was refused: it takes {describe_range(low, high)}"
        return None


class LiveHTML(pn.pane.HTML):
    """An HTML pane for text that changes at every step (the readout, the hints): a change sends only the text.

    On every change of ``object`` Panel's HTML pane recomputes and re-assigns all of its Bokeh model's
    properties (stylesheets, styles, sizing, …), although only ``text`` depends on ``object``: with 40
    students that was 24 % of the server's time (``benchmarks/load_test.py --profile``: 6.8 ms per
    update under load), against 0.07 ms for the text alone. ``text`` is what Panel itself would send
    (the object, HTML-escaped for the model, which renders it), checked in ``tests/test_app_views.py``.
    """

    def _update(self, ref, model):
        model.text = self._transform_object(self.object)["object"]


def card_built_when_opened(build: Callable[[], object], title: str, **card_params) -> pn.Card:
    """Return a collapsed ``Card`` titled ``title`` whose contents ``build()`` returns the first time it is opened.

    A collapsed Card still renders everything it holds: the sampler's card and the share / files card
    made 24 of the page's 245 Bokeh models and 0.5 MB of its 4.1 MB of Python objects for every page
    opened, mostly for nobody. Once built, the contents stay.
    """
    card = pn.Card(title=title, collapsed=True, **card_params)

    def fill(event) -> None:
        if not event.new and not card.objects:
            card.param.unwatch(watcher)
            with pn.io.hold():
                card.objects = [build()]

    watcher = card.param.watch(fill, "collapsed")
    return card


class RefusedBrowserValueFilter(logging.Filter):
    """Log Bokeh's refusal of a browser message as one warning line instead of an error with a traceback.

    A value a Bokeh property does not take (text for a slider's value, a number for a selector's) is
    refused by Bokeh before the app sees it: the document keeps its value and the browser gets an
    error reply. That is the browser's mistake (a hand-edited page), not the server's.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValueError) and str(error).startswith("failed to validate"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "refused a value a browser sent: %s", (error,)
            record.exc_info = record.exc_text = None
        return True


_protocol_log = logging.getLogger("bokeh.server.protocol_handler")
if not any(isinstance(f, RefusedBrowserValueFilter) for f in _protocol_log.filters):
    _protocol_log.addFilter(RefusedBrowserValueFilter())


#: The CSS class that makes a pane a polite live region (``AccessibleBokehViews``).
LIVE_REGION_CLASS = "mle-live"
#: The CSS class of a select whose arrow and page keys only show a choice and Enter makes it (``AccessibleBokehViews``).
CHOOSE_WITH_ENTER_CLASS = "mle-choose-with-enter"


class AccessibleBokehViews(JSComponent):
    """Mends what BokehJS and Panel leave out for keyboard and screen-reader users, in every view on the page.

    * **Sliders**: BokehJS builds them with noUiSlider, which names no handle and, with no ``ariaFormat``,
      gives its ``aria-valuetext`` (what a screen reader announces) two decimals: focusing σ = 0.0650 said
      only "slider, 0.07", and λ = 0.000804 was "0.00", while the title showed the name and the value.
      Each handle is named by its slider's title ("σ (standard deviation)"), and its ``aria-valuetext`` is
      kept equal to the title's value (the view's ``pretty``); a ``MutationObserver`` puts it back after
      each of noUiSlider's own updates, which come after the model's value changes.
      PageUp/PageDown move a tenth of the slider's range (noUiSlider's five steps made μ's range 86 presses).
    * **Tabs**: Bokeh's tab headers took the focus but ignored Enter, Space and the arrow keys, so the
      landscape's other tabs were mouse-only, and nothing told a screen reader they were tabs. They get
      the ARIA tabs pattern: ``tablist`` / ``tab`` roles, ``aria-selected``, Enter or Space to choose,
      ←/→/Home/End to move and choose; the headers come before the panel in the keyboard order (Bokeh
      put them after it) and their focus ring is drawn inside, where the header's edge does not cut it.
    * **Live regions**: a pane with the CSS class ``LIVE_REGION_CLASS`` (the notices, a one-line summary of
      the readout) is made a polite ``status`` region, so a screen reader says what an action did (the
      new ℓ after Optimize or a slider step, "Nothing added: …"). The attribute goes on the pane's host
      element, which stays while its text changes: a region created along with its text is not announced.
    * **Downloads**: Panel's ``FileDownload`` listens for clicks on the link inside its button, and a key
      press on the focused button clicks the button, not the link: Enter or Space downloaded nothing.
      A click on the button itself is passed on to the link.
    * **Toolbar buttons**: Bokeh draws them as focusable ``div`` elements with a title and no role, so a
      screen reader found nothing there, and on/off tools did not say whether they were on. Space opened a
      tool's menu (a long press), which most tools do not have, so it did nothing. They get the ``button``
      role, their title as their name, ``aria-pressed`` for on/off tools, and Space presses them as Enter does.
    * **A select whose choice is costly or can be refused** (the CSS class ``CHOOSE_WITH_ENTER_CLASS``: the
      family selector): in Chromium a closed ``<select>`` commits every ↑/↓, so arrowing from Gaussian to
      Poisson switched family three times, and a family refused for the data (the selector goes back) kept
      the arrows from ever getting past it. There the arrows, PageUp/PageDown and Home/End only show a choice,
      Enter makes it, and Escape or leaving the box puts back the one in use. A letter, Alt+↓ and the mouse
      choose as before (the list opens on the choice in use).
    * **The plot's focus ring**: the plot's event layer (what has the focus on a plot) lies in the shadow
      root of Bokeh's canvas view, which neither the page's CSS nor the figure's ``stylesheets`` reach, so
      it showed Chromium's 1 px dotted ring. It gets the 3 px ring every other control has.

    * **Keeping the keyboard's place**: a re-render (a scenario button in its new colour, Run → Stop), a card
      re-rendering its header when first opened, a button turning disabled (Undo after the last edit it can
      take back, the climb's Reset) or a layout being hidden (the refused switch's "Clear the data and
      switch" / "Keep") dropped the focus to the page, where a screen reader loses its place. The focus
      stays on the control, or goes to the next one beside it, or to the first control around it.
    * **States and stops**: a card's header says whether the card is open (``aria-expanded``), a toggle
      whether it is pressed (``aria-pressed``); a number box's ▲/▼ buttons, unnamed, leave the Tab order.
    * **The page**: the template's title was a link to the page itself, the first Tab stop, and Enter on it
      reloaded the page and lost the student's data; it becomes the page's ``h1`` (there was no heading).
      The template's main column gets the ``main`` landmark.

    Each view is mended once it is rendered (BokehJS's ``DOMView.r_after_render``, which every render and
    re-render ends with: cards opened later and family switches included), and the views already on the
    page when this renders are mended then. Renders nothing visible; one per page is enough.
    """

    _esm = """
    const RING = "outline: 3px solid var(--mle-focus-color, #0b5cad); outline-offset: -3px;";
    const FOCUS_RING_CSS = `.bk-events:focus-visible { ${RING} }`;
    const TAB_FOCUS_CSS = `.bk-tab:focus-visible { ${RING} }`;
    const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

    function patch(proto, key, after) {
      const original = proto[key];
      proto[key] = function (...args) {
        return after.call(this, original.apply(this, args));
      };
    }

    function speak(view) {
      for (const handle of view.slider_el.querySelectorAll(".noUi-handle")) {
        const name = view.model.title;
        if (name && handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
        const put = () => {
          const text = String(view.pretty(view.model.value));
          if (handle.getAttribute("aria-valuetext") !== text) handle.setAttribute("aria-valuetext", text);
        };
        if (handle._mleSpoken == null) {
          handle._mleSpoken = new MutationObserver(put);
          handle._mleSpoken.observe(handle, { attributes: true, attributeFilter: ["aria-valuetext"] });
        }
        put();
        paged(view, handle);
      }
    }

    function paged(view, handle) {
      // noUiSlider's PageUp/PageDown move 5 steps: crossing μ's range (430 steps of 0.01) took 86 presses.
      // They move a tenth of the range, as the page keys of a slider usually do; the arrows still move one step.
      if (handle._mlePaged) return;
      handle._mlePaged = true;
      handle.addEventListener("keydown", (event) => {
        if ((event.key !== "PageUp" && event.key !== "PageDown") || view.model.disabled) return;
        event.preventDefault();  // nor scroll the page
        event.stopImmediatePropagation();
        const { start, end, step, value } = view.model;
        // Whole steps from the start, as the arrows and a drag leave the value, written with the step's decimals:
        // 12 significant digits undid a step of 5e-6 near 1e8, and a float's tail sent 4.4e-16 for 0.
        const decimals = Math.min(20, Math.max(0, Math.ceil(-Math.log10(step)) + 2));
        const page = Math.max(1, Math.round((end - start) / 10 / step));
        const k = Math.round((value - start) / step) + (event.key === "PageUp" ? page : -page);
        view._change([Math.min(end, Math.max(start, Number((start + k * step).toFixed(decimals))))]);
      }, { capture: true });
    }

    function ringed(view, css) {
      const root = view.shadow_el;
      if (root == null || root.querySelector("style[data-mle-focus-ring]") != null) return;
      const style = document.createElement("style");
      style.dataset.mleFocusRing = "";
      style.textContent = css;
      root.append(style);
    }

    function tabbed(view) {
      // A new active tab or new tabs change the headers without a re-render: follow those too. Panel's own tabs
      // view overrides update_active without calling Bokeh's, so each class that defines one is patched.
      for (let proto = Object.getPrototypeOf(view); proto != null && proto !== Object.prototype;
           proto = Object.getPrototypeOf(proto)) {
        for (const key of ["_update_headers", "update_active"]) {
          if (own(proto, key) && !own(proto, `_mle_${key}`)) {
            proto[`_mle_${key}`] = true;
            patch(proto, key, function (result) { tabbed(this); return result; });
          }
        }
      }
      const headers = view.header_els;
      view.headers_wrapper_el?.setAttribute("role", "tablist");
      headers.forEach((header, i) => {
        const selected = i === view.model.active;
        header.setAttribute("role", "tab");
        header.setAttribute("aria-selected", String(selected));
        header.tabIndex = selected ? 0 : -1;  // one Tab stop for the list; the arrows move within it
        if (header._mleKeys) return;
        header._mleKeys = true;
        header.addEventListener("keydown", (event) => {
          const last = headers.length - 1;
          const next = { ArrowRight: i === last ? 0 : i + 1, ArrowLeft: i === 0 ? last : i - 1, Home: 0, End: last,
                         Enter: i, " ": i }[event.key];
          if (next === undefined || view.model.disabled) return;
          event.preventDefault();
          view.change_active(next);
          view.header_els[next]?.focus();
        });
      });
      if (view.header_el != null && view.shadow_el.firstElementChild !== view.header_el) {
        // Bokeh appends the headers after the panels: in the keyboard's order they came after the tab's content.
        const first = [...view.shadow_el.children].find((el) => el.tagName !== "STYLE" && el.tagName !== "LINK");
        if (first != null && first !== view.header_el) view.shadow_el.insertBefore(view.header_el, first);
      }
      ringed(view, TAB_FOCUS_CSS);
    }

    function announced(view) {
      view.el.setAttribute("role", "status");
      view.el.setAttribute("aria-live", "polite");
    }

    function downloadable(view) {
      const button = view.button_el;
      if (button._mleForwards) return;
      button._mleForwards = true;
      button.addEventListener("click", (event) => {
        if (event.target === button) view.anchor_el.click();
      });
    }

    function stated(view, property, attribute) {
      // A card's header says whether the card is open, a toggle whether it is pressed, and keeps saying it.
      const put = () => view.button_el?.setAttribute(attribute, String(property === "collapsed"
        ? !view.model.collapsed : Boolean(view.model[property])));
      put();
      if (view._mleStated) return;
      view._mleStated = true;
      view.on_change(view.model.properties[property], put);
    }

    function pressable(view) {
      // Bokeh's toolbar buttons are focusable divs with a title and no role: a screen reader found nothing there.
      // Space long-pressed them (which opens a tool's menu, and most have none) where a button is pressed.
      const el = view.el;
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", (el.title ?? "").split("\\n").join("; "));
      const tool = view.model.tool;
      if (typeof view._toggle_active === "function" && typeof tool.active === "boolean") {
        el.setAttribute("aria-pressed", String(tool.active));
        if (!view._mlePressed) {
          view._mlePressed = true;
          view.on_change(tool.properties.active, () => el.setAttribute("aria-pressed", String(tool.active)));
        }
      }
      if (el._mleSpace) return;
      el._mleSpace = true;
      el.addEventListener("keydown", (event) => {
        if (event.key !== " ") return;
        event.preventDefault();  // nor scroll the page
        event.stopImmediatePropagation();
        view.tap();
      }, { capture: true });
    }

    // How far each key moves a closed select's choice in Chromium (which also commits it at once).
    const SHOWN_BY = {
      ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 3, PageUp: -3, Home: -Infinity, End: Infinity,
    };

    function shownIndex(select, move) {
      // ``move`` enabled options on from the one shown (as Chromium steps over disabled ones), stopping at the ends.
      const options = select.options;
      const direction = Math.sign(move);
      let index = select.selectedIndex;
      for (let left = Math.abs(move); left > 0; left--) {
        let next = index + direction;
        while (next >= 0 && next < options.length && options[next].disabled) next += direction;
        if (next < 0 || next >= options.length) break;
        index = next;
      }
      return index;
    }

    function choosable(view) {
      const select = view.input_el;
      if (!(select instanceof HTMLSelectElement) || select._mleChooses) return;
      select._mleChooses = true;
      select.setAttribute("aria-description", "Arrow keys show each choice; Enter chooses the one shown");
      let pending = false;
      const putBack = () => {
        if (!pending) return;
        pending = false;
        view._update_value();  // the choice in use, as the model has it
      };
      select.addEventListener("keydown", (event) => {
        const move = SHOWN_BY[event.key];
        if (move != null && !event.altKey && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();  // Chromium would commit it
          const index = shownIndex(select, move);
          if (index !== select.selectedIndex) {
            select.selectedIndex = index;
            pending = true;
          }
        } else if (event.key === "Enter" && pending) {
          event.preventDefault();
          pending = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        } else if (event.key === "Escape" && pending) {
          event.preventDefault();
          event.stopPropagation();  // nor close a dialog around it
          putBack();
        } else if (event.key === " " || event.key === "F4" || event.altKey) {
          // The list opens on the choice shown, and Chromium takes that one as already made: choosing it there
          // would change nothing. It opens on the choice in use instead.
          putBack();
        }
      });
      select.addEventListener("mousedown", putBack);
      select.addEventListener("change", () => { pending = false; });
      select.addEventListener("blur", putBack);
    }

    function mend(view) {
      if (view.slider_el != null && typeof view.pretty === "function") speak(view);
      if (view.model.tool != null && typeof view.tap === "function") pressable(view);
      if (view.canvas_view != null) ringed(view.canvas_view, FOCUS_RING_CSS);
      if (view.header_els != null && Array.isArray(view.model.tabs)) tabbed(view);
      if ((view.model.css_classes ?? []).includes("__LIVE_REGION_CLASS__")) announced(view);
      if ((view.model.css_classes ?? []).includes("__CHOOSE_WITH_ENTER_CLASS__")) choosable(view);
      if (view.anchor_el instanceof HTMLAnchorElement && view.button_el != null) downloadable(view);
      if (view.button_el instanceof HTMLButtonElement) {
        if (typeof view.model.collapsed === "boolean") stated(view, "collapsed", "aria-expanded");
        else if (typeof view.model.active === "boolean") stated(view, "active", "aria-pressed");
      }
      // A number box's ▲/▼ were two more Tab stops with no name; typing (or the arrow keys) sets the number.
      for (const spin of view.shadow_el?.querySelectorAll(".bk-spin-btn") ?? []) {
        spin.tabIndex = -1;
        spin.setAttribute("aria-hidden", "true");
      }
      if (typeof view.update_children === "function") {
        keepFocusThroughUpdates(view);
        keepFocusWhenHidden(view);
      }
    }

    function deepActive() {
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return active;
    }

    function holdsFocus(el) {
      for (let node = deepActive(); node != null; node = node.parentNode ?? node.host) {
        if (node === el) return true;
      }
      return false;
    }

    const FOCUSABLE = "button:not([disabled]), select:not([disabled]), input:not([disabled]), [tabindex='0'], a[href]";

    function firstControl(view) {
      const own = (view.shadow_el ?? view.el).querySelector(FOCUSABLE);
      if (own != null) return own;
      for (const child of view.child_views ?? []) {
        const found = child.el.isConnected && child.el.offsetParent !== null ? firstControl(child) : null;
        if (found != null) return found;
      }
      return null;
    }

    function refocus(view) {
      // The same control if it is still there and enabled (else the layout's first), else the next one beside
      // it (Undo, once it has taken back the last edit, or the climb's Reset, re-render disabled).
      const target = firstControl(view) ?? nextControl(view);
      target?.focus({ preventScroll: true });
    }

    function keepFocus(view, rerender) {
      // A re-render (a button's colour or label changed) replaces the focused element, and the keyboard's place
      // fell back to the page's start.
      const held = holdsFocus(view.el);
      const result = rerender();
      if (held && !holdsFocus(view.el)) refocus(view);
      return result;
    }

    async function keepFocusAsync(view, update) {
      // The same when a layout's children change (a card filled when it is first opened re-renders its header).
      const held = holdsFocus(view.el);
      const result = await update();
      if (held && !holdsFocus(view.el)) refocus(view);
      return result;
    }

    function nextControl(owner) {
      // The enabled control after (or else before) ``owner`` among its layout's children.
      const siblings = owner.parent?.child_views ?? [];
      const at = siblings.indexOf(owner);
      for (const view of [...siblings.slice(at + 1), ...siblings.slice(0, Math.max(at, 0)).reverse()]) {
        const target = (view.shadow_el ?? view.el).querySelector(FOCUSABLE);
        if (target != null) return target;
      }
      return null;
    }

    function keepFocusWhenHidden(view) {
      // A layout hidden while it holds the focus (the family switch's "Clear the data and switch" / "Keep"
      // once one is pressed): the focus goes to the first control of the layout around it.
      if (view._mleHideWatch || view.parent == null) return;
      view._mleHideWatch = true;
      view.on_change(view.model.properties.visible, () => {
        if (!view.model.visible && holdsFocus(view.el)) firstControl(view.parent)?.focus({ preventScroll: true });
      });
    }

    function keepFocusThroughUpdates(view) {
      // Panel's card defines its own update_children (it re-renders its header): patch each class that has one.
      for (let proto = Object.getPrototypeOf(view); proto != null && proto !== Object.prototype;
           proto = Object.getPrototypeOf(proto)) {
        if (own(proto, "update_children") && !own(proto, "_mleKeepsFocus")) {
          proto._mleKeepsFocus = true;
          const update = proto.update_children;
          proto.update_children = function (...args) {
            return keepFocusAsync(this, async () => {
              const result = await update.apply(this, args);
              mend(this);  // Panel's card re-renders its header here without ending in r_after_render
              return result;
            });
          };
        }
      }
    }

    function mendPage() {
      for (const link of document.querySelectorAll("#header a.title")) {
        if (link.getAttribute("href") !== "") continue;  // the app's title; a site link elsewhere is left alone
        const heading = document.createElement("h1");
        heading.className = link.className;
        heading.textContent = link.textContent.trim();
        link.replaceWith(heading);
      }
      const main = document.getElementById("main");
      if (main != null && document.querySelector("main, [role=main]") == null) main.setAttribute("role", "main");
    }

    function viewPrototype(module, name) {
      try {
        return window.Bokeh.require(module)[name].prototype;
      } catch (error) {
        console.warn(`MLE Explorer: BokehJS has no ${name} here`, error);
        return null;
      }
    }

    export function render() {
      mendPage();
      let base = null;
      try {
        base = window.Bokeh.require("core/dom_view").DOMView.prototype;
      } catch (error) {
        console.warn("MLE Explorer: no BokehJS DOMView here; the accessibility mends are skipped", error);
        return document.createElement("span");
      }
      if (!own(base, "_mleMends")) {
        base._mleMends = true;
        const rerender = base.rerender;
        base.rerender = function (...args) {
          return keepFocus(this, () => rerender.apply(this, args));
        };
        patch(base, "r_after_render", function (result) {
          try { mend(this); } catch (error) { console.warn("MLE Explorer: a view could not be mended", error); }
          return result;
        });
      }
      for (const view of window.Bokeh.index.all_views()) {
        try { mend(view); } catch (error) { console.warn("MLE Explorer: a view could not be mended", error); }
      }
      return document.createElement("span");
    }
    """.replace("__LIVE_REGION_CLASS__", LIVE_REGION_CLASS).replace(
        "__CHOOSE_WITH_ENTER_CLASS__", CHOOSE_WITH_ENTER_CLASS
    )
