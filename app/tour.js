// The guided tour's card (classroom.GuidedTour): Back / Next / Close, Escape closes it. It sits beside what the step
// talks about: the elements with the class model.anchor_class, which the page marks before it sets
// model.placed_step. Those are scrolled into view with room for the card, and the card is placed to their right or
// left where the window has room, else below or above them; it follows them as the page scrolls or resizes.
const GAP = 12; // px between the card and what it points at, and from the window's edges

// Every element matching `selector` in `root` and, recursively, in the shadow roots below it.
const deepAll = (selector, root = document) => [
  ...root.querySelectorAll(selector),
  ...[...root.querySelectorAll("*")].filter((el) => el.shadowRoot).flatMap((el) => deepAll(selector, el.shadowRoot)),
];

// The element's parent, crossing out of a shadow root to its host.
const up = (el) => el.parentElement ?? el.getRootNode().host ?? null;

// The nearest ancestor of `el` that scrolls vertically (the template's main area), or the page's scrolling element.
const scrollerOf = (el) => {
  for (let node = up(el); node !== null; node = up(node)) {
    const { overflowY } = getComputedStyle(node);
    if ((overflowY === "auto" || overflowY === "scroll") && node.scrollHeight > node.clientHeight) return node;
  }
  return document.scrollingElement;
};

// The part of the window in which `scroller`'s content is seen (below a sticky header, say).
const visibleArea = (scroller) => {
  const whole = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  if (scroller === document.scrollingElement) return whole;
  const box = scroller.getBoundingClientRect();
  return {
    left: Math.max(whole.left, box.left),
    top: Math.max(whole.top, box.top),
    right: Math.min(whole.right, box.right),
    bottom: Math.min(whole.bottom, box.bottom),
  };
};

const union = (elements) => {
  const boxes = elements.map((el) => el.getBoundingClientRect()).filter((box) => box.width > 0 || box.height > 0);
  if (boxes.length === 0) return null;
  const left = Math.min(...boxes.map((b) => b.left));
  const top = Math.min(...boxes.map((b) => b.top));
  const right = Math.max(...boxes.map((b) => b.right));
  const bottom = Math.max(...boxes.map((b) => b.bottom));
  return { left, top, right, bottom, width: right - left, height: bottom - top };
};

const clamp = (value, low, high) => Math.max(low, Math.min(value, Math.max(low, high)));

export function render({ model }) {
  const card = document.createElement("section");
  card.className = "tour";
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-label", "Guided tour");
  const counter = document.createElement("div");
  counter.className = "tour-counter";
  const heading = document.createElement("h3");
  heading.className = "tour-title";
  const text = document.createElement("p");
  text.className = "tour-text";
  text.setAttribute("aria-live", "polite");
  const buttons = document.createElement("div");
  buttons.className = "tour-buttons";
  const button = (label, name) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = "tour-button tour-" + name;
    buttons.append(b);
    return b;
  };
  const back = button("Back", "back");
  const next = button("Next", "next");
  const close = button("Close", "close");
  card.append(counter, heading, text, buttons);
  let opener = null;
  let anchors = [];
  const deepActive = () => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  };
  const show = () => {
    const steps = model.steps;
    const i = Math.max(0, Math.min(model.step, steps.length - 1));
    card.hidden = !model.active || steps.length === 0;
    if (steps.length === 0) return;
    counter.textContent = `Step ${i + 1} of ${steps.length}`;
    heading.textContent = steps[i].title;
    text.textContent = steps[i].text;
    back.disabled = i === 0;
    next.textContent = i === steps.length - 1 ? "Finish" : "Next";
  };

  // Where the card goes: beside the anchors if the window has room at their right or left, else under or over them.
  const place = () => {
    const box = model.active ? union(anchors.filter((el) => el.isConnected)) : null;
    if (box === null) {
      card.classList.remove("tour-placed");
      card.style.left = card.style.top = "";
      return;
    }
    const area = visibleArea(scrollerOf(anchors[0]));
    const { width, height } = card.getBoundingClientRect();
    let left;
    let top;
    let side;
    if (area.right - box.right >= width + 2 * GAP) {
      [left, side] = [box.right + GAP, "right"];
    } else if (box.left - area.left >= width + 2 * GAP) {
      [left, side] = [box.left - GAP - width, "left"];
    }
    if (side !== undefined) {
      top = clamp(box.top, area.top + GAP, area.bottom - GAP - height);
    } else {
      left = clamp(box.left + (box.width - width) / 2, area.left + GAP / 2, area.right - GAP / 2 - width);
      if (area.bottom - box.bottom >= height + GAP) [top, side] = [box.bottom + GAP, "below"];
      else if (box.top - area.top >= height + GAP) [top, side] = [box.top - GAP - height, "above"];
      else [top, side] = [area.bottom - GAP - height, "over"];
    }
    card.classList.add("tour-placed");
    card.dataset.side = side;
    card.style.left = `${left}px`;
    card.style.top = `${top}px`;
  };

  // Scroll the anchors into view, with the card's room under them when it cannot go beside them.
  const bring = () => {
    anchors = model.active && model.placed_step === model.step ? deepAll("." + model.anchor_class) : [];
    const box = union(anchors);
    if (box === null) {
      place();
      return;
    }
    const scroller = scrollerOf(anchors[0]);
    const area = visibleArea(scroller);
    const { width, height } = card.getBoundingClientRect();
    const beside = area.right - box.right >= width + 2 * GAP || box.left - area.left >= width + 2 * GAP;
    const needed = beside ? box.height : box.height + GAP + height;
    let delta = 0;
    if (needed > area.bottom - area.top - 2 * GAP || box.top < area.top + GAP) {
      delta = box.top - area.top - GAP; // too tall to fit, or above the view: its top at the top
    } else if (box.top + needed > area.bottom - GAP) {
      delta = box.top + needed - (area.bottom - GAP); // below the view: just enough to show it all
    }
    if (delta !== 0) scroller.scrollBy({ top: delta, behavior: "instant" });
    place();
  };

  back.addEventListener("click", () => { if (model.step > 0) model.step = model.step - 1; });
  next.addEventListener("click", () => {
    if (model.step < model.steps.length - 1) model.step = model.step + 1;
    else model.active = false;
  });
  close.addEventListener("click", () => { model.active = false; });
  const onKey = (event) => {
    if (event.key === "Escape" && model.active) {
      model.active = false;
      event.stopPropagation();
    }
  };
  const follow = () => { if (model.active && anchors.length > 0) place(); };
  document.addEventListener("keydown", onKey);
  document.addEventListener("scroll", follow, true); // capture: the scrolling element is the template's main area
  window.addEventListener("resize", follow);
  model.on("remove", () => {
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("scroll", follow, true);
    window.removeEventListener("resize", follow);
  });
  model.on(["step", "steps"], show);
  // The page marks the step's anchors, then announces them: the card is placed once they are marked.
  model.on("placed_step", () => requestAnimationFrame(bring));
  model.on("active", () => {
    show();
    if (model.active) {
      opener = deepActive();
      next.focus();
    } else {
      anchors = [];
      place();
      if (opener && opener.isConnected) {
        opener.focus();
        opener = null;
      }
    }
  });
  show();
  return card;
}
