/**
 * Remote workers (docs/workers.md#tokens-and-the-workers-page): every `baton worker` the API
 * servers know, its load, version and heartbeat (age ticking live, list polled), what it runs
 * now; the queues' depths with a warning where attempts wait and no worker listens; and, for
 * admins, the worker tokens.
 */
import { useEffect, useState } from "react";
import { useWorkers, type QueueDepth, type Worker, type WorkerAttempt, type WorkerState } from "../api/workers";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { StateBadge } from "../design/state";
import { useCurrentUser } from "../lib/auth";
import { fmtDate, fmtDuration } from "../lib/format";
import { Link } from "../router";
import { WorkerTokensSection } from "./workers/worker-tokens-section";
import "./workers-page.css";

/** A worker state shown with the palette and glyph of the task state that reads the same. */
const STATE: Record<WorkerState, { as: string; label: string; hint: string }> = {
  active: { as: "success", label: "Active", hint: "Connected and taking attempts" },
  draining: { as: "deferred", label: "Draining", hint: "Shutting down: takes no new attempts, finishes or hands back what it holds" },
  lost: { as: "failed", label: "Lost", hint: "Not heard from in time: its running attempts failed and are retried by their policy" },
  stopped: { as: "removed", label: "Stopped", hint: "Disconnected after a clean shutdown" },
};

/** After this long without a heartbeat an active worker's age is shown as late (lost after BATON_WORKER_LOST_MS, 10 s by default). */
const LATE_MS = 5_000;

/** The current time, re-rendering every `everyMs`: heartbeat ages move between polls. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function WorkersPage() {
  const me = useCurrentUser();
  const query = useWorkers();
  const now = useNow(1_000);
  const workers = query.data?.workers ?? [];
  const queues = query.data?.queues ?? [];
  const stranded = queues.filter((q) => q.queued > 0 && q.workers === 0);
  return (
    <>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>Workers</h1>
          <p className="muted small" style={{ margin: 0 }}>
            <code>baton worker --server URL --queues a,b</code> (with a worker token in <code>BATON_WORKER_TOKEN</code>) on any machine runs the attempts of its
            queues; tasks pick a queue with their <code>queue</code> option (default <code>default</code>).
          </p>
        </div>
      </div>
      {stranded.length > 0 && (
        <div className="banner" role="status" data-testid="workers-stranded">
          <Icon.warn />
          <span>
            <strong>{stranded.reduce((n, q) => n + q.queued, 0)} attempt(s) wait</strong> in{" "}
            {stranded.map((q) => (
              <code key={q.queue} style={{ marginRight: 4 }}>
                {q.queue}
              </code>
            ))}{" "}
            where no active worker listens: start a worker with <code>--queues {stranded.map((q) => q.queue).join(",")}</code>.
          </span>
        </div>
      )}
      <div className="card">
        <div className="card-head">
          <h2 className="section-title">Workers</h2>
          <span className="spacer" />
          <span className="muted small">active and draining, then others seen in the last 24 hours</span>
        </div>
        {query.isPending ? (
          <SkeletonRows rows={3} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : workers.length === 0 ? (
          <EmptyState icon={<Icon.dag size={22} />} title="No workers yet">
            <p className="small">
              Attempts of the <code>default</code> queue run in the scheduler's local pool. Create a worker token
              {me?.role === "admin" ? " below" : " (an admin can)"} and start <code>baton worker</code> on another machine to run tasks there.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="workers-table">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Name</th>
                  <th scope="col">Queues</th>
                  <th scope="col">Load</th>
                  <th scope="col">Version</th>
                  <th scope="col">Heartbeat</th>
                  <th scope="col">Running now</th>
                </tr>
              </thead>
              <tbody>
                {workers.map((w) => (
                  <WorkerRow key={w.id} w={w} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {queues.length > 0 && <QueuesCard queues={queues} />}
      {me?.role === "admin" && <WorkerTokensSection now={now} />}
    </>
  );
}

function WorkerRow({ w, now }: { w: Worker; now: number }) {
  const st = STATE[w.state];
  const age = w.lastSeenAt ? now - Date.parse(w.lastSeenAt) : null;
  const late = w.state === "active" && age !== null && age > LATE_MS;
  return (
    <tr data-testid={`worker-row-${w.name}`} data-state={w.state}>
      <td title={w.reason ?? st.hint} data-testid="worker-state">
        <StateBadge state={st.as} label={st.label} />
        {w.reason && <div className="muted small worker-reason">{w.reason}</div>}
      </td>
      <td>
        <span className="mono small" style={{ fontWeight: 600 }}>
          {w.name}
        </span>
        <div className="muted small" title={`worker id ${w.id}; token ${w.tokenName ?? "(deleted)"} ${w.tokenId}`}>
          {w.host} · pid {w.pid}
        </div>
      </td>
      <td>
        <div className="row-wrap">
          {w.queues.map((q) => (
            <span key={q} className="tag mono">
              {q}
            </span>
          ))}
        </div>
      </td>
      <td>
        <LoadBar running={w.running} concurrency={w.concurrency} />
      </td>
      <td className="mono small">{w.version}</td>
      <td
        className="nowrap small"
        title={`last seen ${fmtDate(w.lastSeenAt)}; started ${fmtDate(w.startedAt)}`}
        data-testid="worker-heartbeat"
        data-late={late || undefined}
      >
        {age === null ? "—" : fmtAge(age)}
      </td>
      <td>
        {w.attempts.length === 0 ? (
          <span className="muted small">—</span>
        ) : (
          <ul className="worker-attempts">
            {w.attempts.map((a) => (
              <li key={a.attemptId}>
                <AttemptLink a={a} />
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** "4 s ago", then "3m 05s ago" … */
function fmtAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s} s ago` : `${fmtDuration(s * 1000)} ago`;
}

/** Running/concurrency as a bar and as text (never colour alone). */
function LoadBar({ running, concurrency }: { running: number; concurrency: number }) {
  const pct = concurrency > 0 ? Math.min(100, (running / concurrency) * 100) : 0;
  return (
    <div className="row load" title={`${running} of ${concurrency} slots busy`}>
      <span className="load-bar" role="meter" aria-valuemin={0} aria-valuemax={concurrency} aria-valuenow={running} aria-label="Slots busy">
        <span className="load-fill" style={{ width: `${pct}%` }} data-full={running >= concurrency || undefined} />
      </span>
      <span className="small num" data-testid="worker-load">
        {running}/{concurrency}
      </span>
    </div>
  );
}

function AttemptLink({ a }: { a: WorkerAttempt }) {
  const to = `/dags/${encodeURIComponent(a.dagId)}/grid?run=${encodeURIComponent(a.runId)}&task=${encodeURIComponent(a.taskId)}${a.mapIndex >= 0 ? `&map=${a.mapIndex}` : ""}`;
  const state = a.state === "running" ? "running" : "queued";
  return (
    <Link
      className="link small worker-attempt"
      to={to}
      title={`${a.dagId} / ${a.runId} / ${a.taskId}${a.mapIndex >= 0 ? `[${a.mapIndex}]` : ""}, try ${a.tryNumber}: ${a.state}`}
      data-testid="worker-attempt"
    >
      <StateBadge state={state} label={a.state === "running" ? "running" : "sent"} />
      <span className="mono">
        {a.dagId}.{a.taskId}
        {a.mapIndex >= 0 ? `[${a.mapIndex}]` : ""}
      </span>
      <span className="muted">#{a.tryNumber}</span>
    </Link>
  );
}

function QueuesCard({ queues }: { queues: QueueDepth[] }) {
  return (
    <div className="card">
      <div className="card-head">
        <h2 className="section-title">Queues</h2>
        <span className="spacer" />
        <span className="muted small">attempts handed to remote workers</span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="queues-table">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col" className="num">
                Waiting
              </th>
              <th scope="col" className="num">
                Running
              </th>
              <th scope="col" className="num">
                Workers
              </th>
              <th scope="col">
                <span className="sr-only">Status</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={q.queue} data-testid={`queue-row-${q.queue}`}>
                <td className="mono small">{q.queue}</td>
                <td className="num">{q.queued}</td>
                <td className="num">{q.running}</td>
                <td className="num">{q.workers}</td>
                <td>
                  {q.queued > 0 && q.workers === 0 ? (
                    <span className="badge badge-warn" data-testid="queue-no-worker">
                      <Icon.warn size={11} /> No worker
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
