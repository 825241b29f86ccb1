/**
 * Side panel for one task instance: state, attempts, live logs of a chosen try, return value,
 * rendered command, and Clear / Mark success / Mark failed (confirmed; disabled for viewers).
 */
import { useEffect, useRef } from "react";
import { useTaskAction, useTaskInstance, type TaskAction } from "../../api/queries";
import type { TaskInstanceDetail } from "../../api/types";
import { useConfirm } from "../../design/confirm";
import { Icon } from "../../design/icons";
import { ErrorState, Skeleton, Tip } from "../../design/misc";
import { StateBadge } from "../../design/state";
import { useToast } from "../../design/toast";
import { useDenied } from "../../lib/auth";
import { fmtDate, fmtDuration, spanMs } from "../../lib/format";
import { useSearchParam } from "../../router";
import { commandMessage } from "./command-message";
import { isNotFound, NotFoundPage } from "../not-found-page";
import { ExplainSection } from "./explain-section";
import { LogPane } from "./log-pane";

const LIVE = new Set(["running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "deferred"]);

export function TaskPanel({ dagId, runId, taskId, onClose }: { dagId: string; runId: string; taskId: string; onClose: () => void }) {
  const [sp] = useSearchParam();
  // `map=i` in the URL shows copy i of a mapped task.
  const mapParam = sp.get("map");
  const mapIndex = mapParam !== null && /^\d+$/.test(mapParam) ? Number(mapParam) : -1;
  const ti = useTaskInstance(dagId, runId, taskId, mapIndex);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("[role=dialog],[role=alertdialog]")) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  return (
    <aside ref={ref} className="card side-panel" aria-label={`Task ${taskId} in run ${runId}`} data-testid="task-panel">
      <div className="card-head">
        <div className="stack" style={{ gap: 2, minWidth: 0 }}>
          <span className="section-title">Task instance</span>
          <h3 className="truncate mono" title={taskId}>
            {taskId}
            {mapIndex >= 0 && (
              <span className="muted" data-testid="task-map-index">
                {" "}
                [{mapIndex}]
              </span>
            )}
          </h3>
          <span className="xs muted truncate" title={runId}>
            {runId}
          </span>
        </div>
        <span className="spacer" />
        {ti.data && <StateBadge state={ti.data.state} />}
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close task panel (Esc)" data-testid="task-panel-close">
          <Icon.close />
        </button>
      </div>
      <div className="side-body">
        {ti.isPending ? (
          <div className="stack">
            <Skeleton height={60} />
            <Skeleton height={120} />
            <Skeleton height={200} />
          </div>
        ) : ti.isError ? (
          isNotFound(ti.error) ? (
            <NotFoundPage missing={{ kind: "task", dagId, runId, taskId }} />
          ) : (
            <ErrorState error={ti.error} onRetry={() => void ti.refetch()} />
          )
        ) : (
          <TaskDetail dagId={dagId} runId={runId} ti={ti.data} />
        )}
      </div>
    </aside>
  );
}

function TaskDetail({ dagId, runId, ti }: { dagId: string; runId: string; ti: TaskInstanceDetail }) {
  const [sp, setSp] = useSearchParam();
  const tries = ti.attempts.map((a) => a.tryNumber);
  const latest = tries.length ? Math.max(...tries) : ti.tryNumber > 0 ? ti.tryNumber : null;
  const chosen = Number(sp.get("try")) || latest;
  const attempt = ti.attempts.find((a) => a.tryNumber === chosen);
  const follow = chosen === latest && (attempt?.state === "running" || (!attempt && ti.state === "running"));
  const copies = ti.copies ?? [];
  const isCopy = ti.mapIndex >= 0;
  const pickCopy = (i: number | null) => setSp({ map: i === null ? null : String(i), try: null }, true);

  return (
    <>
      {isCopy ? (
        <button type="button" className="btn btn-ghost" style={{ alignSelf: "flex-start" }} onClick={() => pickCopy(null)} data-testid="task-all-copies">
          ← All copies of {ti.taskId}
        </button>
      ) : (
        <TaskActions dagId={dagId} runId={runId} ti={ti} />
      )}
      <dl className="kv">
        <dt>Kind</dt>
        <dd>
          <code>{ti.kind}</code>
        </dd>
        {copies.length > 0 ? (
          <>
            <dt>Copies</dt>
            <dd>
              {copies.length} (each with up to {ti.maxTries} tries)
            </dd>
          </>
        ) : (
          <>
            <dt>Try</dt>
            <dd>
              {ti.tryNumber} of {ti.maxTries}
            </dd>
          </>
        )}
        <dt>Queued</dt>
        <dd>{fmtDate(ti.queuedAt)}</dd>
        <dt>Started</dt>
        <dd>{fmtDate(ti.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{fmtDate(ti.endedAt)}</dd>
        <dt>Duration</dt>
        <dd>{fmtDuration(ti.durationMs ?? spanMs(ti.startedAt, ti.endedAt))}</dd>
        <dt>Pool</dt>
        <dd>
          {ti.pool} <span className="muted">(priority {ti.priority})</span>
        </dd>
        {ti.nextRetryAt && (
          <>
            <dt>{ti.state === "up_for_reschedule" ? "Next poke" : "Next retry"}</dt>
            <dd>{fmtDate(ti.nextRetryAt)}</dd>
          </>
        )}
        {ti.sensor && (
          <>
            <dt>Sensor</dt>
            <dd data-testid="task-sensor">
              {ti.sensor.pokes} poke{ti.sensor.pokes === 1 ? "" : "s"} since {fmtDate(ti.sensor.firstPokeAt)}
              {ti.sensor.deferredCheck && <span className="muted"> · deferred ({ti.sensor.deferredCheck} check in the scheduler)</span>}
              {ti.sensor.timeoutAt && <span className="muted"> · times out {fmtDate(ti.sensor.timeoutAt)}</span>}
            </dd>
          </>
        )}
      </dl>
      {ti.error && (
        <div className="banner banner-danger" role="note">
          <Icon.warn />
          <pre className="error-inline">{ti.error}</pre>
        </div>
      )}
      <ExplainSection dagId={dagId} runId={runId} taskId={ti.taskId} mapIndex={ti.mapIndex} />

      {copies.length > 0 && (
        <section className="stack" style={{ gap: 8 }} data-testid="task-copies">
          <h4 className="section-title">Mapped copies ({copies.length})</h4>
          <p className="muted small">
            A mapped task runs as one copy per element of its list; each has its own tries and log. Its value is the list of the copies' results.
          </p>
          <div className="table-wrap attempts">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Index</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Try
                  </th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {copies.map((c) => (
                  <tr key={c.mapIndex}>
                    <td>
                      <button type="button" className="link btn-reset mono" onClick={() => pickCopy(c.mapIndex)} aria-label={`Show copy ${c.mapIndex}`}>
                        [{c.mapIndex}]
                      </button>
                    </td>
                    <td>
                      <StateBadge state={c.state} />
                    </td>
                    <td className="num">{c.tryNumber}</td>
                    <td className="num nowrap">{fmtDuration(c.durationMs ?? spanMs(c.startedAt, c.endedAt))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      {copies.length === 0 && (
        <section className="stack" style={{ gap: 8 }}>
          <h4 className="section-title">Attempts</h4>
          {ti.attempts.length === 0 ? (
            <p className="muted small">No attempts yet — the task has not started.</p>
          ) : (
            <div className="table-wrap attempts">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Try</th>
                    <th scope="col">State</th>
                    <th scope="col">Started</th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {ti.attempts.map((a) => (
                    <tr key={a.tryNumber} aria-selected={a.tryNumber === chosen}>
                      <td>
                        <button
                          type="button"
                          className="link btn-reset"
                          onClick={() => setSp({ try: String(a.tryNumber) }, true)}
                          aria-label={`Show log of try ${a.tryNumber}`}
                        >
                          #{a.tryNumber}
                        </button>
                      </td>
                      <td>
                        <StateBadge state={a.state} />
                      </td>
                      <td className="nowrap" title={a.endedAt ? `ended ${fmtDate(a.endedAt)}` : undefined}>
                        {fmtDate(a.startedAt)}
                      </td>
                      <td className="num nowrap">{fmtDuration(a.durationMs ?? spanMs(a.startedAt, a.endedAt))}</td>
                      <td className="truncate" style={{ maxWidth: 160 }} title={a.error ?? undefined}>
                        {a.error ?? <span className="muted">—</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      {copies.length === 0 && (
        <LogPane
          dagId={dagId}
          runId={runId}
          taskId={ti.taskId}
          mapIndex={ti.mapIndex}
          tries={tries}
          chosen={chosen}
          follow={follow}
          onTry={(t) => setSp({ try: String(t) }, true)}
        />
      )}

      {ti.renderedCommand && (
        <section className="stack" style={{ gap: 8 }}>
          <h4 className="section-title">Rendered command</h4>
          <pre className="pre" data-testid="task-command">
            {ti.renderedCommand}
          </pre>
        </section>
      )}
      <section className="stack" style={{ gap: 8 }}>
        <h4 className="section-title">Return value</h4>
        {ti.returnValue === null || ti.returnValue === undefined ? (
          <p className="muted small">No return value.</p>
        ) : (
          <pre className="pre" data-testid="task-return-value">
            {JSON.stringify(ti.returnValue, null, 2)}
          </pre>
        )}
      </section>
    </>
  );
}

const ACTIONS: { action: TaskAction; label: string; title: string; body: string; danger?: boolean; testId: string }[] = [
  {
    action: "clear",
    label: "Clear",
    title: "Clear this task instance?",
    body: "Its state is reset and the scheduler runs it again (a new try).",
    testId: "task-clear",
  },
  {
    action: "clear-downstream",
    label: "Clear + downstream",
    title: "Clear this task and everything downstream?",
    body: "This task and all tasks that depend on it in this run are reset and run again.",
    testId: "task-clear-downstream",
  },
  {
    action: "mark-success",
    label: "Mark success",
    title: "Mark as success?",
    body: "The task is recorded as succeeded without running; downstream tasks may start.",
    testId: "task-mark-success",
  },
  {
    action: "mark-failed",
    label: "Mark failed",
    title: "Mark as failed?",
    body: "The task is recorded as failed; a running attempt is stopped and downstream tasks become upstream_failed.",
    danger: true,
    testId: "task-mark-failed",
  },
];

function TaskActions({ dagId, runId, ti }: { dagId: string; runId: string; ti: TaskInstanceDetail }) {
  const denied = useDenied("user");
  const confirm = useConfirm();
  const toast = useToast();
  const mutate = useTaskAction(dagId);
  const run = async (a: (typeof ACTIONS)[number]) => {
    const ok = await confirm({
      title: a.title,
      body: (
        <>
          <p>
            <code>{ti.taskId}</code> in <code>{runId}</code>
          </p>
          <p style={{ marginTop: 8 }}>{a.body}</p>
        </>
      ),
      confirmLabel: a.label,
      danger: a.danger,
    });
    if (!ok) return;
    mutate.mutate(
      { runId, taskId: ti.taskId, action: a.action },
      {
        onSuccess: (res) => toast(commandMessage(`${a.label}: ${ti.taskId}`, res), res.status === "applied" ? "success" : "info"),
        onError: (e) => toast(`${a.label} failed: ${e.message}`, "error"),
      },
    );
  };
  return (
    <div className="btn-group" role="group" aria-label="Task actions">
      {ACTIONS.map((a) => (
        <Tip key={a.action} text={denied}>
          <button
            type="button"
            className={`btn btn-sm${a.danger ? " btn-danger-outline" : ""}`}
            disabled={
              Boolean(denied) ||
              mutate.isPending ||
              (a.action === "mark-success" && ti.state === "success") ||
              (a.action === "mark-failed" && ti.state === "failed")
            }
            onClick={() => void run(a)}
            data-testid={a.testId}
          >
            {a.action.startsWith("clear") ? <Icon.retry size={12} /> : a.action === "mark-success" ? <Icon.check size={12} /> : <Icon.cross size={12} />}
            {a.label}
          </button>
        </Tip>
      ))}
      {LIVE.has(ti.state) && (
        <span className="xs muted" style={{ alignSelf: "center" }}>
          Updates live
        </span>
      )}
    </div>
  );
}
