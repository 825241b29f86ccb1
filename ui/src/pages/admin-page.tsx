/** Admin: connections and variables (op reads, admin writes). Secrets are write-only here. */
import { Tabs, type TabDef } from "../design/misc";
import { navigate } from "../router";
import { ConnectionsPanel } from "./admin/connections-panel";
import { VariablesPanel } from "./admin/variables-panel";
import type { AdminTab } from "./admin/admin-tabs";

const TABS: TabDef<AdminTab>[] = [
  { id: "connections", label: "Connections", hint: "Named connections to databases and services" },
  { id: "variables", label: "Variables", hint: "Key–value settings for tasks" },
];

export function AdminPage({ tab }: { tab: AdminTab }) {
  return (
    <>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>Admin</h1>
          <p className="muted small" style={{ margin: 0 }}>
            Stored encrypted. Passwords and sensitive values are write-only: they are never shown again once saved.
          </p>
        </div>
      </div>
      <Tabs tabs={TABS} value={tab} onChange={(t) => navigate(`/admin/${t}`)} label="Admin sections" />
      <section role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === "connections" ? <ConnectionsPanel /> : <VariablesPanel />}
      </section>
    </>
  );
}
