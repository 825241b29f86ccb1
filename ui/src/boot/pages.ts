/**
 * Each page's module, loaded when first shown (React.lazy in app.tsx), so the first load of a
 * page downloads and compiles only its own code (docs/ui.md, "First load"). One import() per
 * page: the entry starts the opened page's early (first-load.ts), the shell renders it.
 */
export const pages = {
  home: () => import("../pages/home-page"),
  dag: () => import("../pages/dag-page"),
  dagList: () => import("../pages/dag-list-page"),
  importErrors: () => import("../pages/import-errors-page"),
  datasets: () => import("../pages/datasets-page"),
  lineage: () => import("../pages/lineage-page"),
  deadlines: () => import("../pages/deadlines-page"),
  anomalies: () => import("../pages/anomalies-page"),
  notifications: () => import("../pages/notifications-page"),
  workers: () => import("../pages/workers-page"),
  backfills: () => import("../pages/backfills-page"),
  pools: () => import("../pages/pools-page"),
  audit: () => import("../pages/audit-page"),
  admin: () => import("../pages/admin-page"),
};

export type PageModuleName = keyof typeof pages;
export type PageModule<N extends PageModuleName> = Awaited<ReturnType<(typeof pages)[N]>>;

const loaded = new Map<PageModuleName, unknown>();

/** Loads a page's module and keeps it, so its lazy component (page-component.ts) renders it without suspending. */
export async function loadPage(name: PageModuleName): Promise<void> {
  loaded.set(name, await pages[name]());
}

/** The page's module once loadPage has loaded it, else undefined. */
export function loadedPage<N extends PageModuleName>(name: N): PageModule<N> | undefined {
  return loaded.get(name) as PageModule<N> | undefined;
}
