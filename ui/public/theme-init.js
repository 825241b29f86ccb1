// Applies the saved theme before first paint (no flash). See src/design/theme.ts.
// A file rather than an inline script, so the Content-Security-Policy can say script-src 'self'.
try {
  const t = localStorage.getItem("baton.theme");
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
} catch (e) {}
// The browser's time zone, for the dates in the server's first view of a page (src/api/first-view/formats.ts).
try {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const cookie = "baton_tz=" + encodeURIComponent(tz);
  if (tz && !document.cookie.split("; ").includes(cookie)) document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
} catch (e) {}
