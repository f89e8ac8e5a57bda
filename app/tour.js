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
  document.addEventListener("keydown", onKey);
  model.on("remove", () => document.removeEventListener("keydown", onKey));
  model.on(["step", "steps"], show);
  model.on("active", () => {
    show();
    if (model.active) {
      opener = deepActive();
      next.focus();
    } else if (opener && opener.isConnected) {
      opener.focus();
      opener = null;
    }
  });
  show();
  return card;
}
