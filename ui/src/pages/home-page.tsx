/**
 * Home (docs/ui.md#home): is everything OK? Every component's health (schedulers with their
 * load, this API server, triggerer, DAG processor, remote workers, store, disk), then what needs
 * attention now: failed and running runs, missed deadlines, anomalies, import errors, pools near
 * full and queued work. Polled; every item links to its page.
 */
import type { ReactNode } from "react";
import { useOverview, type Level, type Overview, type OverviewComponent } from "../api/overview";
import { Icon } from "../design/icons";
import { ErrorState, SkeletonRows } from "../design/misc";
import { StateBadge } from "../design/state";
import { fmtDate, fmtDuration, fmtRelative } from "../lib/format";
import { Link } from "../router";
import "./home-page.css";

/** A level drawn with the palette and glyph of the task state that reads the same. */
const LEVEL_AS: Record<Level, string> = { ok: "success", warning: "up_for_retry", critical: "failed", inactive: "removed" };
const KIND_LABEL: Record<OverviewComponent["kind"], string> = {
  scheduler: "Scheduler",
  api: "API server",
  triggerer: "Triggerer",
  "dag-processor": "DAG processor",
  worker: "Worker",
  store: "Store",
  disk: "Disk",
};
const HEADLINE: Record<Overview["level"], string> = { ok: "All components are healthy", warning: "Something needs attention", critical: "Something is down" };

/** Where a component's details are. The API answers /health as JSON: the store, disk and this server are on it. */
function componentHref(c: OverviewComponent): { to: string; spa: boolean } {
  switch (c.kind) {
    case "worker":
      return { to: "/workers", spa: true };
    case "dag-processor":
      return { to: "/import-errors", spa: true };
    case "scheduler":
    case "triggerer":
      return { to: "/dags", spa: true };
    default:
      return { to: "/api/v1/health", spa: false };
  }
}

const runHref = (dagId: string, runId: string) => `/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}`;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function HomePage() {
  const q = useOverview();
  if (q.isPending)
    return (
      <div data-testid="home-page" aria-busy="true">
        <h1>Home</h1>
        <SkeletonRows rows={6} />
      </div>
    );
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} title="Cannot read the overview" />;
  const o = q.data;
  const kinds = ["scheduler", "api", "triggerer", "dag-processor", "store", "disk", "worker"] as const;
  const sorted = [...o.components].sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  const now = Date.parse(o.generatedAt);
  return (
    <div className="home" data-testid="home-page">
      <div className={`home-status home-status-${o.level}`} role="status" data-testid="home-status" data-level={o.level}>
        <StateBadge state={LEVEL_AS[o.level]} label={o.level === "ok" ? "OK" : cap(o.level)} />
        <h1>{HEADLINE[o.level]}</h1>
        <span className="spacer" />
        <span className="muted small" title={fmtDate(o.generatedAt)}>
          updated {fmtRelative(o.generatedAt)}
        </span>
      </div>

      <section className="card" aria-labelledby="home-components">
        <div className="card-head">
          <h2 className="section-title" id="home-components">
            Components
          </h2>
        </div>
        <ul className="home-components">
          {sorted.map((c) => (
            <ComponentTile key={`${c.kind}:${c.id}`} c={c} now={now} />
          ))}
        </ul>
        {!o.components.some((c) => c.kind === "worker") && o.queues !== null && (
          <p className="muted small home-note">
            No remote workers: tasks run in the schedulers' local pools.{" "}
            <Link className="link" to="/workers">
              Workers
            </Link>
          </p>
        )}
      </section>

      <div className="home-grid">
        <RunsCard runs={o.runs} />
        <ListCard
          title="Missed deadlines"
          testId="home-deadlines"
          to="/deadlines"
          hint="last 24 hours"
          count={o.missedDeadlines?.count ?? null}
          more={o.missedDeadlines?.more ?? false}
          empty="No deadline missed"
          items={(o.missedDeadlines?.items ?? []).map((m) => (
            <Link key={m.id} className="link" to={runHref(m.dagId, m.runId)} data-testid={`home-deadline-${m.dagId}-${m.runId}`}>
              <span className="mono">
                {m.dagId}
                {m.taskId ? `.${m.taskId}` : ""}
              </span>{" "}
              <span className="muted small">
                {m.runId} · {m.description}
              </span>
            </Link>
          ))}
        />
        <ListCard
          title="Anomalies"
          testId="home-anomalies"
          to="/anomalies"
          hint="last 24 hours"
          count={o.anomalies?.count ?? null}
          empty="No anomaly"
          items={(o.anomalies?.items ?? []).map((a) => (
            <Link key={a.id} className="link" to={`/anomalies?dag=${encodeURIComponent(a.dagId)}`} data-testid={`home-anomaly-${a.id}`}>
              <span className="mono">
                {a.dagId}
                {a.taskId ? `.${a.taskId}` : ""}
              </span>{" "}
              <span className="muted small">
                {a.metric} {fmtNumber(a.value)} (usually {fmtNumber(a.median)})
              </span>
            </Link>
          ))}
        />
        <ListCard
          title="Import errors"
          testId="home-import-errors"
          to="/import-errors"
          count={o.importErrors.count}
          empty="Every DAG file loads"
          items={o.importErrors.items.map((e) => (
            <Link key={e.file} className="link" to="/import-errors" title={e.message}>
              <span className="mono">
                {e.file.split("/").pop()}
                {e.line ? `:${e.line}` : ""}
              </span>{" "}
              <span className="muted small home-clip">{e.message}</span>
            </Link>
          ))}
        />
        <ListCard
          title="Pools near full"
          testId="home-pools"
          to="/pools"
          hint="80 % or more taken"
          count={o.pools.length}
          empty="Every pool has room"
          items={o.pools.map((p) => (
            <Link key={p.name} className="link" to="/pools" data-testid={`home-pool-${p.name}`}>
              <span className="mono">{p.name}</span>{" "}
              <span className="muted small">
                {p.queuedSlots + p.runningSlots}/{p.slots} slots{p.full ? " · full" : ""}
              </span>
            </Link>
          ))}
        />
        <QueuesCard o={o} />
      </div>
    </div>
  );
}

function ComponentTile({ c, now }: { c: OverviewComponent; now: number }) {
  const href = componentHref(c);
  const beat = c.lastHeartbeat ? Math.max(0, now - Date.parse(c.lastHeartbeat)) : null;
  const title = `${KIND_LABEL[c.kind]} ${c.name}`;
  const body = (
    <>
      <div className="row home-tile-head">
        <span className="home-kind muted small">{KIND_LABEL[c.kind]}</span>
        <span className="spacer" />
        <StateBadge state={LEVEL_AS[c.level]} label={cap(c.state)} />
      </div>
      <div className="mono home-tile-name" title={c.id}>
        {c.name}
      </div>
      <div className="muted small home-tile-facts">
        {c.version && <span>v{c.version}</span>}
        {beat !== null && <span title={`last heartbeat ${fmtDate(c.lastHeartbeat)}`}>beat {beat < 1000 ? "just now" : `${fmtDuration(beat)} ago`}</span>}
        {c.load && (
          <span data-testid="component-load">
            {c.load.dags} DAG(s) · {c.load.runningRuns} running · {c.load.queuedRuns} queued
          </span>
        )}
        {c.concurrency !== null && (
          <span>
            {c.running ?? 0}/{c.concurrency} busy
          </span>
        )}
      </div>
      {c.detail && (
        <div className="muted small home-clip" title={c.detail}>
          {c.detail}
        </div>
      )}
    </>
  );
  const props = {
    className: "home-tile",
    "data-testid": `component-${c.kind}-${c.name}`,
    "data-state": c.state,
    "data-level": c.level,
    "aria-label": `${title}: ${c.state}`,
  };
  return (
    <li>
      {href.spa ? (
        <Link to={href.to} {...props}>
          {body}
        </Link>
      ) : (
        <a href={href.to} {...props}>
          {body}
        </a>
      )}
    </li>
  );
}

function RunsCard({ runs }: { runs: Overview["runs"] }) {
  return (
    <section className="card home-card" data-testid="home-runs" aria-labelledby="home-runs-title">
      <div className="card-head">
        <h2 className="section-title" id="home-runs-title">
          Runs
        </h2>
        <span className="spacer" />
        <Link className="link small" to="/dags">
          All DAGs
        </Link>
      </div>
      <div className="card-body stack">
        <div className="row home-counts">
          <Count n={runs.failed} label="failed (24 h)" level={runs.failed > 0 ? "critical" : "ok"} testId="home-failed-count" />
          <Count n={runs.running} label="running" testId="home-running-count" />
          <Count n={runs.queued} label="queued" testId="home-queued-count" />
        </div>
        {runs.recentFailed.length > 0 && <RunList label="Failed" runs={runs.recentFailed} />}
        {runs.recentRunning.length > 0 && <RunList label="Running" runs={runs.recentRunning} />}
      </div>
    </section>
  );
}

function RunList({ label, runs }: { label: string; runs: Overview["runs"]["recentFailed"] }) {
  return (
    <div>
      <div className="muted small">{label}</div>
      <ul className="home-list">
        {runs.map((r) => (
          <li key={`${r.dagId}/${r.runId}`}>
            <Link className="link" to={runHref(r.dagId, r.runId)} data-testid={`home-run-${r.dagId}-${r.runId}`}>
              <StateBadge state={r.state} /> <span className="mono">{r.dagId}</span> <span className="muted small">{r.runId}</span>
            </Link>
            <span className="muted small"> {fmtRelative(r.endedAt ?? r.startedAt)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Count({ n, label, level, testId }: { n: number | null; label: string; level?: Level; testId: string }) {
  return (
    <div className="home-count" data-level={level} data-testid={testId}>
      <span className="home-count-n num">{n ?? "—"}</span>
      <span className="muted small">{label}</span>
    </div>
  );
}

function ListCard({
  title,
  testId,
  to,
  hint,
  count,
  more = false,
  empty,
  items,
}: {
  title: string;
  testId: string;
  to: string;
  hint?: string;
  count: number | null;
  more?: boolean;
  empty: string;
  items: ReactNode[];
}) {
  return (
    <section className="card home-card" data-testid={testId} aria-label={title}>
      <div className="card-head">
        <h2 className="section-title">{title}</h2>
        {count !== null && count > 0 && (
          <span className="badge badge-warn" data-testid={`${testId}-count`}>
            {count}
            {more ? "+" : ""}
          </span>
        )}
        <span className="spacer" />
        {hint && <span className="muted small">{hint}</span>}
        <Link className="link small" to={to}>
          Open
        </Link>
      </div>
      <div className="card-body">
        {count === null ? (
          <p className="muted small">Not available on this server.</p>
        ) : items.length === 0 ? (
          <p className="muted small home-ok">
            <Icon.check size={12} /> {empty}
          </p>
        ) : (
          <ul className="home-list">
            {items.map((i, k) => (
              <li key={k}>{i}</li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function QueuesCard({ o }: { o: Overview }) {
  const queues = o.queues ?? [];
  return (
    <section className="card home-card" data-testid="home-queues" aria-label="Queued work">
      <div className="card-head">
        <h2 className="section-title">Queued work</h2>
        <span className="spacer" />
        <Link className="link small" to="/workers">
          Workers
        </Link>
      </div>
      <div className="card-body stack">
        <div className="row home-counts">
          <Count n={o.taskInstances.queued} label="tasks queued" testId="home-ti-queued" />
          <Count n={o.taskInstances.running} label="tasks running" testId="home-ti-running" />
        </div>
        {queues.length > 0 && (
          <table className="table home-queues">
            <thead>
              <tr>
                <th scope="col">Remote queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Running
                </th>
                <th scope="col" className="num">
                  Workers
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.queue} data-testid={`home-queue-${q.queue}`}>
                  <td>
                    <Link className="link mono small" to="/workers">
                      {q.queue}
                    </Link>
                    {q.queued > 0 && q.workers === 0 && (
                      <span className="badge badge-warn">
                        <Icon.warn size={11} /> No worker
                      </span>
                    )}
                  </td>
                  <td className="num">{q.queued}</td>
                  <td className="num">{q.running}</td>
                  <td className="num">{q.workers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function fmtNumber(v: number): string {
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
}
