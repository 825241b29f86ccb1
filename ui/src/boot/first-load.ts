/**
 * What the page being opened needs first, so the entry script (main.tsx) can start it before the
 * app's code has loaded (docs/ui.md, "First load"): its API calls — `/auth/me` in parallel with
 * the page's own, a 401 still leads to sign-in — and its code (pages.ts).
 */
import { pages, type PageModuleName } from "./pages";

/** The API paths (under /api/v1) the shell and the page at `pathname` read on their first render. */
export function firstCallsFor(pathname: string): string[] {
  const calls = ["/auth/me", "/anomalies/counts"];
  if (pathname === "/") calls.push("/overview");
  const dag = dagPath(pathname);
  // The URLs useDag and useGrid(dagId, 25) build (api/queries.ts); a DAG opens on its grid.
  if (dag && (dag.tab === undefined || dag.tab === "grid")) calls.push(`/dags/${dag.id}`, `/dags/${dag.id}/grid?limit=25`);
  return calls;
}

/** The page module `pathname` renders, when there is one to start loading early. */
export function firstPageFor(pathname: string): PageModuleName | null {
  if (pathname === "/") return "home";
  if (dagPath(pathname)) return "dag";
  return null;
}

/** Starts loading the page's module (the shell's React.lazy then finds it loaded or on its way). */
export function preloadPage(pathname: string): void {
  const name = firstPageFor(pathname);
  if (name) void pages[name]().catch(() => undefined); // a failed load is reported when the shell renders the page
}

function dagPath(pathname: string): { id: string; tab: string | undefined } | null {
  const m = /^\/dags\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m?.[1]) return null;
  try {
    return { id: encodeURIComponent(decodeURIComponent(m[1])), tab: m[2] };
  } catch {
    return null; // a malformed escape: the shell shows its not-found page
  }
}
