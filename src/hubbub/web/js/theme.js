// Loaded as a classic script in <head> so the chosen theme applies before the first paint.
// Without a choice the page follows prefers-color-scheme; a choice is kept in localStorage.
(function applyStoredTheme() {
  try {
    var theme = localStorage.getItem("hubbub.theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (error) {
    // storage disabled: follow the system theme
  }
})();
