/** Notification deliveries (docs/alerts.md#notifiers): failed ones first by default, each with its last error and link to the run. */
import { useMemo } from "react";
import { useNotifications, type DeliveryState, type NotificationDelivery } from "../api/notifications";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { StateBadge } from "../design/state";
import { fmtDate } from "../lib/format";
import { Link, useSearchParam } from "../router";

const STATES: { id: DeliveryState | "all"; label: string }[] = [
  { id: "failed", label: "Failed" },
  { id: "pending", label: "Retrying / pending" },
  { id: "delivered", label: "Delivered" },
  { id: "all", label: "All" },
];

const BADGE: Record<DeliveryState, string> = { failed: "failed", pending: "up_for_retry", delivered: "success" };

export function NotificationsPage() {
  const [sp, setSp] = useSearchParam();
  const dagId = sp.get("dag") ?? "";
  const stateParam = sp.get("state") ?? "failed";
  const state = STATES.some((s) => s.id === stateParam) ? (stateParam as DeliveryState | "all") : "failed";
  const query = useNotifications({ ...(dagId ? { dagId } : {}), ...(state === "all" ? {} : { state }) });
  const list = useMemo(() => query.data?.pages.flatMap((p) => p.deliveries) ?? [], [query.data]);
  return (
    <>
      <h1>Notifications</h1>
      <div className="card">
        <div className="card-head toolbar">
          <label className="row small">
            <span className="muted">State</span>
            <select
              className="input"
              value={state}
              onChange={(e) => setSp({ state: e.target.value === "failed" ? null : e.target.value }, true)}
              data-testid="notifications-filter-state"
            >
              {STATES.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label className="row small">
            <span className="muted">DAG</span>
            <input
              className="input"
              style={{ width: 220 }}
              placeholder="any DAG"
              value={dagId}
              onChange={(e) => setSp({ dag: e.target.value.trim() || null }, true)}
              data-testid="notifications-filter-dag"
            />
          </label>
        </div>
        {query.isPending ? (
          <SkeletonRows rows={4} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.check size={22} />} title={state === "failed" ? "No failed notifications" : "No notifications"}>
            <p className="small">
              Alerts sent by notifiers (Slack, Teams, PagerDuty, Opsgenie, e-mail, webhooks, Jira) are listed here; a delivery that cannot be made is retried
              with backoff, then shown as failed with its error.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="notifications-table">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                  <th scope="col">Notifier</th>
                  <th scope="col">DAG / run / task</th>
                  <th scope="col">Message</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last error / next try</th>
                </tr>
              </thead>
              <tbody>
                {list.map((d) => (
                  <DeliveryRow key={d.id} d={d} />
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

function DeliveryRow({ d }: { d: NotificationDelivery }) {
  const dag = encodeURIComponent(d.dagId);
  return (
    <tr data-testid={`notification-row-${d.id}`}>
      <td className="nowrap">{fmtDate(d.createdAt)}</td>
      <td data-testid="notification-state">
        <StateBadge state={BADGE[d.state]} label={d.state} />
      </td>
      <td>
        <span className="mono small">{d.notifier}</span>
        <div className="muted small" title={`connection ${d.connection}`}>
          {d.target}
        </div>
      </td>
      <td>
        <Link className="link" to={`/dags/${dag}`}>
          {d.dagId}
        </Link>
        <div>
          <Link className="link mono small" to={`/dags/${dag}/grid?run=${encodeURIComponent(d.runId)}`}>
            {d.runId}
          </Link>
        </div>
        <div className="mono small">
          {d.taskId ?? <span className="muted">run</span>} · {d.event}
        </div>
      </td>
      <td className="small">
        {d.summary}
        {d.externalRef ? <div className="muted mono small">{d.externalRef}</div> : null}
      </td>
      <td className="num">{d.attempts}</td>
      <td className="small" data-testid="notification-error">
        {d.lastError ? (
          <div className="mono" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
            {d.lastError}
          </div>
        ) : (
          <span className="muted">—</span>
        )}
        {d.state === "pending" && d.nextAttemptAt ? <div className="muted">next try {fmtDate(d.nextAttemptAt)}</div> : null}
      </td>
    </tr>
  );
}
