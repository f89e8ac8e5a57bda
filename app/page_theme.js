// The page's colour mode (classroom.PageTheme): Bootstrap's data-bs-theme attribute of <html>, which every colour of
// the page follows (Bootstrap's, Panel's through classroom.page_css, and the app's own from theme.py). The header's
// navbar class follows it too, as the template sets it for a page built in either theme. Renders nothing visible.
export function render({ model }) {
  const apply = () => {
    document.documentElement.setAttribute("data-bs-theme", model.mode);
    const header = document.getElementById("header");
    if (header) {
      header.classList.toggle("navbar-dark", model.mode === "dark");
      header.classList.toggle("navbar-light", model.mode !== "dark");
    }
  };
  apply();
  model.on("mode", apply);
  return document.createElement("span");
}
