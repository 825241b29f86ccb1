/** The Admin page's tabs: here, not in admin-page.tsx, so the shell can route without loading the page. */
export type AdminTab = "connections" | "variables";

export function isAdminTab(tab: string | undefined): tab is AdminTab {
  return tab === "connections" || tab === "variables";
}
