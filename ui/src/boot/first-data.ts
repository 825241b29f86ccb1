/**
 * The first data the server wrote into index.html for the page being opened (src/api/first-data.ts;
 * docs/ui.md, "First load"): the API's answers to the page's first calls, path → JSON, made with
 * this request's session. Absent when the request was not signed in (or the server had no UI to
 * personalise): the entry then fetches as before.
 */
export type FirstData = ReadonlyMap<string, unknown>;

let firstData: Map<string, unknown> = new Map();

/** Reads the data block once (the entry script, before anything fetches). */
export function readFirstData(): FirstData {
  const el = document.getElementById("baton-first-data");
  if (!el?.textContent) return firstData;
  try {
    firstData = new Map(Object.entries(JSON.parse(el.textContent) as Record<string, unknown>));
  } catch {
    firstData = new Map(); // a broken block: fetch as usual
  }
  el.remove();
  return firstData;
}

/** Hands the data over once (root.tsx seeds the query cache from it); later calls get nothing. */
export function takeFirstData(): FirstData {
  const data = firstData;
  firstData = new Map();
  return data;
}
