/**
 * The first view (docs/ui.md, "First view"): the opened page's content as HTML, written by the
 * server into index.html from the first data it already inlines (../first-data.ts), so the
 * browser paints real content — the home page's health and runs, a DAG's grid with its dates,
 * tasks and states — with the document, before the UI's code has loaded. The UI replaces it with
 * its own render in one task (ui/src/root.tsx): the view is `inert` meanwhile (no focus, no
 * clicks), and hidden again by CSS if the UI's render comes first.
 *
 * Only from the API's own answers to a signed-in request (first-data.ts: nothing is inlined,
 * hence nothing drawn, unless `/auth/me` answered 200), escaped, with no inline style or script
 * (the page's CSP allows neither).
 */
import { dagGridView } from "./dag-grid-view.js";
import { formatsFor } from "./formats.js";
import { homeView } from "./home-view.js";
import { attrs, esc, icon } from "./markup.js";

/** The element's id (ui/src/root.tsx removes it when the UI renders). */
export const FIRST_VIEW_ID = "first-view";

interface Me {
  username: string;
  role: string;
  authRequired?: boolean;
}

/**
 * The first view of the page at `pathname` (with `search`, the query string, "" or "?…"), from its
 * first data (path → API answer), or "" when this page has none: pages other than the home page
 * and a DAG's grid, a selection in the URL, or an answer missing.
 */
export function firstViewHtml(pathname: string, search: string, data: Record<string, unknown>, headers: { acceptLanguage?: string; cookie?: string }): string {
  const me = data["/auth/me"] as Me | undefined;
  if (!me || typeof me.username !== "string" || search.replace(/^\?/, "") !== "") return "";
  const f = formatsFor(headers.acceptLanguage, headers.cookie);
  let page: string | null = null;
  let wide = false;
  if (pathname === "/") page = homeView(data["/overview"], f);
  else {
    const m = /^\/dags\/([^/]+)(?:\/grid)?\/?$/.exec(pathname);
    if (m?.[1]) {
      let id: string;
      try {
        id = encodeURIComponent(decodeURIComponent(m[1]));
      } catch {
        return "";
      }
      page = dagGridView(data[`/dags/${id}`], data[`/dags/${id}/grid?limit=25`], me.role, f, Date.now());
      wide = true;
    }
  }
  if (page === null) return "";
  return `<div id="${FIRST_VIEW_ID}" inert>${shell(me, pathname, wide, page)}</div>`;
}

const NAV: [href: string, label: string, testId: string | undefined, current: (p: string) => boolean][] = [
  ["/dags", "DAGs", undefined, (p) => p.startsWith("/dags")],
  ["/datasets", "Datasets", undefined, (p) => p === "/datasets"],
  ["/lineage", "Lineage", "nav-lineage", (p) => p === "/lineage"],
  ["/import-errors", "Import errors", undefined, (p) => p === "/import-errors"],
  ["/deadlines", "Deadlines", "nav-deadlines", (p) => p === "/deadlines"],
  ["/anomalies", "Anomalies", "nav-anomalies", (p) => p === "/anomalies"],
  ["/notifications", "Notifications", "nav-notifications", (p) => p === "/notifications"],
  ["/workers", "Workers", "nav-workers", (p) => p === "/workers"],
  ["/backfills", "Backfills", "nav-backfills", (p) => p === "/backfills"],
  ["/pools", "Pools", "nav-pools", (p) => p === "/pools"],
];

/** ui/src/app.tsx `Shell`: the top bar (without its live status, search and theme buttons) and `<main>`. */
function shell(me: Me, path: string, wide: boolean, page: string): string {
  const nav = NAV.map(
    ([href, label, testId, current]) => `<a${attrs({ href, "aria-current": current(path) ? "page" : undefined, "data-testid": testId })}>${label}</a>`,
  );
  if (me.role === "admin") nav.push(`<a href="/audit" data-testid="nav-audit">Audit</a>`);
  if (me.role === "op" || me.role === "admin") nav.push(`<a href="/admin/connections" data-testid="nav-admin">Admin</a>`);
  return (
    `<div class="app"><header class="topbar">` +
    `<a${attrs({ href: "/", class: "brand", "aria-label": "Baton home", "aria-current": path === "/" ? "page" : undefined, "data-testid": "nav-home" })}><span class="brand-mark">${icon("dag", 14)}</span>Baton</a>` +
    `<nav class="nav" aria-label="Main">${nav.join("")}</nav><span class="spacer"></span>` +
    `<span class="user-chip">${icon("user", 14)}<span>${esc(me.username)}</span><span class="badge">${esc(me.role)}</span></span>` +
    `</header><main id="main" class="main${wide ? " main-wide" : ""}">${page}</main></div>`
  );
}
