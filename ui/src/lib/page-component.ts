import { lazy, type ComponentType } from "react";
import { loadedPage, pages, type PageModule, type PageModuleName } from "../boot/pages";

/**
 * A React.lazy component for a page. Once loadPage (pages.ts) has loaded the module, the component
 * renders on its first render: React.lazy takes a thenable that answers at once, where a resolved
 * promise answers a microtask later and React shows the Suspense fallback first. The UI's first
 * render relies on it to replace the server's first view with the page itself, not with a
 * skeleton (root.tsx; docs/ui.md, "First view").
 */
export function pageComponent<N extends PageModuleName, P extends object>(name: N, pick: (m: PageModule<N>) => ComponentType<P>) {
  return lazy(() => {
    const m = loadedPage(name);
    if (m === undefined) return pages[name]().then((mod) => ({ default: pick(mod as PageModule<N>) }));
    const now = { default: pick(m) };
    return { then: (resolve: (v: typeof now) => void) => resolve(now) } as unknown as Promise<typeof now>;
  });
}
