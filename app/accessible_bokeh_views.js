// AccessibleBokehViews (mle_explorer.upstream): mends what BokehJS and Panel leave out for keyboard and
// screen-reader users, in every view on the page; the Python class's docstring says what and why, item by item.
//
// It relies on BokehJS internals, all checked by tests/test_upstream.py against BokehJS's own bundles: the
// prototypes of DOMView (rerender, r_after_render) and of the layouts and tabs it patches (update_children,
// _update_headers, update_active), and the views' private methods it calls (a slider's _change(values), a toolbar
// button's _toggle_active(), a select's _update_value()). A view that fails to be mended is a console warning, not
// a broken page.

const RING = "outline: 3px solid var(--mle-focus-color); outline-offset: -3px;";
const FOCUS_RING_CSS = `.bk-events:focus-visible { ${RING} }`;
const TAB_FOCUS_CSS = `.bk-tab:focus-visible { ${RING} }`;
// The CSS classes that ask for a mend, as the Python side names them (set when the component renders).
const CLASSES = { liveRegion: null, chooseWithEnter: null };
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
  el.setAttribute("aria-label", (el.title ?? "").split("\n").join("; "));
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
  if ((view.model.css_classes ?? []).includes(CLASSES.liveRegion)) announced(view);
  if ((view.model.css_classes ?? []).includes(CLASSES.chooseWithEnter)) choosable(view);
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

export function render({ model }) {
  CLASSES.liveRegion = model.live_region_class;
  CLASSES.chooseWithEnter = model.choose_with_enter_class;
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
