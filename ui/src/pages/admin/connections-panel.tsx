/** Connections: list (never the password), create, edit, delete with confirmation, test. */
import { useState } from "react";
import { useConnections, useDeleteConnection, useTestConnection } from "../../api/queries";
import type { Connection, ConnectionCheck } from "../../api/types";
import { useConfirm } from "../../design/confirm";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows, Tip } from "../../design/misc";
import { useToast } from "../../design/toast";
import { useDenied } from "../../lib/auth";

import { ConnectionDialog } from "./connection-dialog";
import { MASKED, RowActions, SourceBadge, UpdatedCell, envReadOnly } from "./secret-bits";

export function ConnectionsPanel() {
  const connections = useConnections();
  const denied = useDenied("admin");
  const [editing, setEditing] = useState<Connection | "new" | null>(null);
  const [checks, setChecks] = useState<Record<string, ConnectionCheck | "running">>({});
  const remove = useDeleteConnection();
  const test = useTestConnection();
  const confirm = useConfirm();
  const toast = useToast();

  const onDelete = async (c: Connection) => {
    const ok = await confirm({
      title: `Delete connection ${c.id}?`,
      body: (
        <>
          Tasks that use <code>{c.id}</code> will fail until it is created again. This cannot be undone.
        </>
      ),
      confirmLabel: "Delete connection",
      danger: true,
    });
    if (!ok) return;
    remove.mutate(c.id, {
      onSuccess: () =>
        toast(
          <>
            Deleted connection <code>{c.id}</code>
          </>,
          "success",
        ),
      onError: (e) => toast(e.message, "error"),
    });
  };

  const onTest = (c: Connection) => {
    setChecks((s) => ({ ...s, [c.id]: "running" }));
    test.mutate(c.id, {
      onSuccess: (r) => {
        setChecks((s) => ({ ...s, [c.id]: r }));
        if (r.ok)
          toast(
            <>
              Connection <code>{c.id}</code>: ok ({r.durationMs} ms)
            </>,
            "success",
          );
        else
          toast(
            <>
              Connection <code>{c.id}</code>: {r.error}
            </>,
            r.supported ? "error" : "info",
          );
      },
      onError: (e) => {
        setChecks(({ [c.id]: _, ...rest }) => rest);
        toast(e.message, "error");
      },
    });
  };

  const newButton = (
    <Tip text={denied}>
      <button type="button" className="btn btn-primary" onClick={() => setEditing("new")} disabled={Boolean(denied)} data-testid="new-connection">
        <Icon.bolt size={12} /> New connection
      </button>
    </Tip>
  );

  return (
    <div className="stack" style={{ gap: 12 }}>
      <div className="row toolbar">
        <span className="muted small">
          Tasks get them with <code>ctx.connection(id)</code>; <code>BATON_CONN_&lt;ID&gt;</code> in the environment overrides a stored one.
        </span>
        <span className="spacer" />
        {newButton}
      </div>
      <div className="card">
        {connections.isPending ? (
          <SkeletonRows rows={3} />
        ) : connections.isError ? (
          <ErrorState error={connections.error} onRetry={() => void connections.refetch()} />
        ) : connections.data.length === 0 ? (
          <EmptyState icon={<Icon.bolt size={22} />} title="No connections yet" action={newButton}>
            <p className="small">
              Add one here or with <code>baton connections add warehouse --uri postgres://…</code>.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="connections-table">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Type</th>
                  <th scope="col">Host</th>
                  <th scope="col">Login</th>
                  <th scope="col">Password</th>
                  <th scope="col">Schema</th>
                  <th scope="col">Extras</th>
                  <th scope="col">Source</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {connections.data.map((c) => {
                  const readOnly = envReadOnly(c.readOnly, c.envVar);
                  const check = checks[c.id];
                  return (
                    <tr key={c.id} data-testid={`connection-row-${c.id}`}>
                      <td>
                        <span className="mono small">{c.id}</span>
                        {c.description && <div className="muted small">{c.description}</div>}
                      </td>
                      <td>
                        <span className="badge">{c.type}</span>
                      </td>
                      <td className="mono small">
                        {c.host ?? "—"}
                        {c.port !== null && `:${c.port}`}
                      </td>
                      <td className="mono small">{c.login ?? "—"}</td>
                      <td className="mono small" data-testid={`connection-password-${c.id}`}>
                        {c.hasPassword ? (
                          <span title="Set (write-only)" aria-label="password set">
                            {MASKED}
                          </span>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="mono small">{c.schema ?? "—"}</td>
                      <td className="small">
                        <Extras extra={c.extra} />
                      </td>
                      <td>
                        <SourceBadge source={c.source} envVar={c.envVar} />
                      </td>
                      <UpdatedCell at={c.updatedAt} />
                      <RowActions
                        what="connection"
                        id={c.id}
                        locked={denied ?? readOnly}
                        onEdit={() => setEditing(c)}
                        onDelete={() => void onDelete(c)}
                        extra={
                          <>
                            {check !== undefined && <CheckBadge id={c.id} check={check} />}
                            <button
                              type="button"
                              className="btn btn-sm"
                              onClick={() => onTest(c)}
                              disabled={check === "running"}
                              data-testid={`connection-test-${c.id}`}
                              title="Try to reach it (as baton connections test)"
                            >
                              {check === "running" ? "Testing…" : "Test"}
                            </button>
                          </>
                        }
                      />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {editing !== null && <ConnectionDialog connection={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

function Extras({ extra }: { extra: Record<string, string> }) {
  const entries = Object.entries(extra);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <div className="stack" style={{ gap: 2 }}>
      {entries.map(([k, v]) => (
        <code key={k} className="small">
          {k}={v === "***" ? MASKED : v}
        </code>
      ))}
    </div>
  );
}

function CheckBadge({ id, check }: { id: string; check: ConnectionCheck | "running" }) {
  if (check === "running") return <span className="spinner" aria-label="Testing" data-testid={`connection-check-${id}`} data-state="running" />;
  const state = check.ok ? "ok" : check.supported ? "failed" : "unsupported";
  return (
    <span
      className="badge"
      data-testid={`connection-check-${id}`}
      data-state={state}
      title={check.error ?? `ok in ${check.durationMs} ms`}
      style={check.ok ? { color: "var(--st-success)" } : check.supported ? { color: "var(--danger-fg)" } : undefined}
    >
      {check.ok ? (
        <>
          <Icon.check size={12} /> ok
        </>
      ) : check.supported ? (
        <>
          <Icon.warn size={12} /> failed
        </>
      ) : (
        "no test"
      )}
    </span>
  );
}
