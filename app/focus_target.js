// A Bokeh CustomJS body (classroom.Classroom's skip link): moves the keyboard focus into the view of `target`,
// a widget's Bokeh model, given in the callback's args.
const views = [];
const walk = (view) => { views.push(view); for (const child of view.child_views ?? []) walk(child); };
for (const view of Object.values(Bokeh.index)) walk(view);
const view = views.find((v) => v.model === target);
const element = view?.shadow_el?.querySelector("select, input, button, [tabindex]");
if (element) element.focus();
