// Loaded as a classic script in <head> so the theme applies before the first paint.
// data-theme is always set: the choice kept in localStorage, else the system's
// prefers-color-scheme, followed live while no choice is kept.
(function applyTheme() {
  var root = document.documentElement;
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  function chosen() {
    try {
      var theme = localStorage.getItem("hubbub.theme");
      return theme === "light" || theme === "dark" ? theme : null;
    } catch (error) {
      return null; // storage disabled: follow the system theme
    }
  }
  function apply() {
    root.setAttribute("data-theme", chosen() || (systemDark.matches ? "dark" : "light"));
  }
  apply();
  systemDark.addEventListener("change", apply);
})();
