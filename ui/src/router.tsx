/**
 * A tiny router on the History API: the current location as state, `navigate()`, a `<Link>`
 * that keeps ctrl/⌘-click working, and `matchPath()` for `/dags/:dagId/:tab` style patterns.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent } from "react";

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

interface RouterValue {
  location: Location;
  navigate: (to: string, opts?: { replace?: boolean }) => void;
}

const RouterContext = createContext<RouterValue | null>(null);
const NAV_EVENT = "baton:navigate";

function readLocation(): Location {
  return { pathname: window.location.pathname, search: new URLSearchParams(window.location.search) };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

export function RouterProvider({ children }: { children: React.ReactNode }) {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    const update = () => setLocation(readLocation());
    window.addEventListener("popstate", update);
    window.addEventListener(NAV_EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAV_EVENT, update);
    };
  }, []);
  const value = useMemo(() => ({ location, navigate }), [location]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const v = useContext(RouterContext);
  if (!v) throw new Error("useRouter outside RouterProvider");
  return v;
}

/** Updates some query-string params of the current URL (null removes one). */
export function useSearchParam(): [URLSearchParams, (patch: Record<string, string | null>, replace?: boolean) => void] {
  const { location } = useRouter();
  const set = useCallback((patch: Record<string, string | null>, replace = false) => {
    const sp = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(patch))
      if (v === null) sp.delete(k);
      else sp.set(k, v);
    const s = sp.toString();
    navigate(window.location.pathname + (s ? `?${s}` : ""), { replace });
  }, []);
  return [location.search, set];
}

/** `matchPath("/dags/:dagId/:tab?", "/dags/etl/grid")` → `{ dagId: "etl", tab: "grid" }`. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = pathname.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  if (s.length > p.length) return null;
  for (let i = 0; i < p.length; i++) {
    const part = p[i] ?? "";
    const seg = s[i];
    const optional = part.endsWith("?");
    if (seg === undefined) {
      if (optional) continue;
      return null;
    }
    if (part.startsWith(":")) params[part.slice(1).replace(/\?$/, "")] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
