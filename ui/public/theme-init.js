// Applies the saved theme before first paint (no flash). See src/design/theme.ts.
// A file rather than an inline script, so the Content-Security-Policy can say script-src 'self'.
try {
  const t = localStorage.getItem("baton.theme");
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
} catch (e) {}
