/** The audit trail (docs/audit.md): who changed what and when, newest first; admins only. */
import { useMemo, useState } from "react";
import { useAudit, type AuditEntry, type AuditFilters } from "../api/audit";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { fmtDate } from "../lib/format";
import { Link, useSearchParam } from "../router";

const ACTION_GROUPS = [
  "run.*",
  "task.*",
  "dag.*",
  "backfill.*",
  "pool.*",
  "connection.*",
  "variable.*",
  "user.*",
  "token.*",
  "worker_token.*",
  "login.*",
  "dataset.*",
];

/** A `datetime-local` value (this browser's time) as ISO 8601 UTC, or undefined. */
function isoOf(local: string): string | undefined {
  if (local === "") return undefined;
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function AuditPage() {
  const [sp, setSp] = useSearchParam();
  const actor = sp.get("actor") ?? "";
  const action = sp.get("action") ?? "";
  const dagId = sp.get("dag") ?? "";
  const since = sp.get("since") ?? "";
  const until = sp.get("until") ?? "";
  const filters: AuditFilters = {
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(dagId ? { dagId } : {}),
    ...(isoOf(since) ? { since: isoOf(since) } : {}),
    ...(isoOf(until) ? { until: isoOf(until) } : {}),
  };
  const query = useAudit(filters);
  const list = useMemo(() => query.data?.pages.flatMap((p) => p.entries) ?? [], [query.data]);
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <h1>Audit</h1>
      <div className="card">
        <div className="card-head toolbar">
          <label className="row small">
            <span className="muted">Actor</span>
            <input
              className="input"
              style={{ width: 140 }}
              placeholder="anyone"
              value={actor}
              onChange={(e) => setSp({ actor: e.target.value.trim() || null }, true)}
              data-testid="audit-filter-actor"
            />
          </label>
          <label className="row small">
            <span className="muted">Action</span>
            <input
              className="input"
              style={{ width: 160 }}
              placeholder="any (e.g. run.*)"
              list="audit-actions"
              value={action}
              onChange={(e) => setSp({ action: e.target.value.trim() || null }, true)}
              data-testid="audit-filter-action"
            />
            <datalist id="audit-actions">
              {ACTION_GROUPS.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </label>
          <label className="row small">
            <span className="muted">DAG</span>
            <input
              className="input"
              style={{ width: 160 }}
              placeholder="any DAG"
              value={dagId}
              onChange={(e) => setSp({ dag: e.target.value.trim() || null }, true)}
              data-testid="audit-filter-dag"
            />
          </label>
          <label className="row small">
            <span className="muted">From</span>
            <input
              className="input"
              type="datetime-local"
              value={since}
              onChange={(e) => setSp({ since: e.target.value || null }, true)}
              data-testid="audit-filter-since"
            />
          </label>
          <label className="row small">
            <span className="muted">To</span>
            <input
              className="input"
              type="datetime-local"
              value={until}
              onChange={(e) => setSp({ until: e.target.value || null }, true)}
              data-testid="audit-filter-until"
            />
          </label>
        </div>
        {query.isPending ? (
          <SkeletonRows rows={5} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.check size={22} />} title={filtered ? "No entries match" : "No audit entries yet"}>
            <p className="small">
              Every change made through the API, the UI, the CLI or a webhook, and every login, is recorded here with who, what, when and the values before and
              after. Secrets are never recorded.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <AuditRow key={e.id} e={e} />
                ))}
              </tbody>
            </table>
            {query.hasNextPage && (
              <div className="row" style={{ justifyContent: "center", padding: 12 }}>
                <button type="button" className="btn" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
                  {query.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
    </>
  );
}

const show = (v: unknown): string => (v === undefined ? "–" : v === null ? "null" : typeof v === "object" ? JSON.stringify(v) : String(v));

/** The fields that changed (`state: failed → success`), or the values set or removed. */
function changes(e: AuditEntry): string[] {
  const keys = [...new Set([...Object.keys(e.before ?? {}), ...Object.keys(e.after ?? {})])];
  return keys
    .filter((k) => JSON.stringify(e.before?.[k]) !== JSON.stringify(e.after?.[k]))
    .map((k) => (e.before && e.after ? `${k}: ${show(e.before[k])} → ${show(e.after[k])}` : `${k}: ${show((e.after ?? e.before)?.[k])}`));
}

function AuditRow({ e }: { e: AuditEntry }) {
  const failed = e.action === "login.failure";
  const reason = typeof e.details?.reason === "string" ? e.details.reason : null;
  return (
    <tr data-testid={`audit-row-${e.id}`}>
      <td className="nowrap">{fmtDate(e.at)}</td>
      <td>
        <span className="mono small">{e.actor}</span>
        <div className="muted small">
          {e.via}
          {e.tokenId ? ` ${e.tokenId}` : ""}
        </div>
      </td>
      <td>
        <span className="mono small" style={failed ? { color: "var(--danger-fg)" } : undefined} data-testid="audit-action">
          {e.action}
        </span>
        {reason ? <div className="muted small">{reason}</div> : null}
      </td>
      <td>
        {e.targetType ? (
          <div className="small">
            <span className="muted">{e.targetType}</span> <span className="mono">{e.targetId}</span>
          </div>
        ) : (
          <span className="muted">—</span>
        )}
        {e.dagId ? (
          <Link className="link small" to={`/dags/${encodeURIComponent(e.dagId)}`}>
            {e.dagId}
          </Link>
        ) : null}
      </td>
      <td className="small mono" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }} data-testid="audit-change">
        {changes(e).join("\n") || <span className="muted">—</span>}
      </td>
    </tr>
  );
}
