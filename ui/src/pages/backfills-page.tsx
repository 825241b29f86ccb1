/**
 * Backfills (docs/ui.md#backfills): every backfill, newest first, with its DAG, range, reprocess
 * mode, max active runs, progress (runs done/total as a bar, by state), state and creation time;
 * polled while one is active. Ops pause, resume and cancel a queued or running one (a paused one
 * shows a Paused badge: the scheduler starts none of its queued runs). Created from a DAG's page
 * (the Backfill button) or `baton dags backfill`.
 */
import { useBackfills, useCancelBackfill, usePauseBackfill, type Backfill, type BackfillState } from "../api/backfills";
import { useConfirm } from "../design/confirm";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows, Tip } from "../design/misc";
import { StateBadge } from "../design/state";
import { useToast } from "../design/toast";
import { useDenied } from "../lib/auth";
import { fmtDate, fmtShort } from "../lib/format";
import { Link, navigate, useRouter } from "../router";
import { BackfillProgress } from "./backfills/backfill-progress";
import "./backfills-page.css";

/** A backfill state shown with the palette and glyph of the run state that reads the same. */
const STATE: Record<BackfillState, { as: string; label: string; hint: string }> = {
  queued: { as: "queued", label: "Queued", hint: "Recorded; the scheduler creates its runs on its next tick" },
  running: { as: "running", label: "Running", hint: "Its runs are queued or running" },
  done: { as: "success", label: "Done", hint: "None of its runs is queued or running any more" },
  cancelled: { as: "removed", label: "Cancelled", hint: "Cancelled: its queued runs failed, running ones finished" },
};

const REPROCESS: Record<string, string> = { none: "missing only", failed: "missing and failed", completed: "all (re-run finished)" };

export function BackfillsPage() {
  const { location } = useRouter();
  const dagId = location.search.get("dag");
  const query = useBackfills(dagId);
  const list = query.data ?? [];
  return (
    <>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>Backfills</h1>
          <p className="muted small" style={{ margin: 0 }}>
            Runs for past intervals of a DAG, run by the scheduler within their own max active runs. Start one with <strong>Backfill</strong> on a DAG's page or{" "}
            <code>baton dags backfill</code>.
          </p>
        </div>
        <span className="spacer" />
        {dagId && (
          <button type="button" className="btn btn-sm" onClick={() => navigate("/backfills")} data-testid="backfills-all">
            <Icon.close size={12} /> Only <span className="mono">{dagId}</span>: show all
          </button>
        )}
      </div>
      <div className="card">
        {query.isPending ? (
          <SkeletonRows rows={3} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.calendar size={22} />} title="No backfills yet">
            <p className="small">
              Open a DAG with a schedule and press <strong>Backfill</strong> to run it over a past range.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="backfills-table">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">DAG</th>
                  <th scope="col">Range (logical dates)</th>
                  <th scope="col">Reprocess</th>
                  <th scope="col" className="num">
                    Max active
                  </th>
                  <th scope="col">Progress</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((b) => (
                  <BackfillRow key={b.id} b={b} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}

/** Paused shows only while the backfill can still start runs (one that ended keeps its flag). */
const isActive = (b: Backfill) => b.state === "queued" || b.state === "running";
const PAUSED_HINT = "Paused: the scheduler starts none of its queued runs; running ones finish. Resume to go on.";

function BackfillRow({ b }: { b: Backfill }) {
  const st = STATE[b.state];
  const paused = b.paused && isActive(b);
  return (
    <tr data-testid={`backfill-row-${b.id}`} data-state={b.state} data-paused={paused}>
      <td title={paused ? PAUSED_HINT : st.hint} data-testid="backfill-state">
        <div className="row-wrap" style={{ gap: 4 }}>
          <StateBadge state={st.as} label={st.label} />
          {paused && (
            <span className="badge" data-testid="backfill-paused">
              <Icon.pause size={10} /> Paused
            </span>
          )}
        </div>
      </td>
      <td>
        <Link className="link mono small" to={`/dags/${encodeURIComponent(b.dagId)}/runs`}>
          {b.dagId}
        </Link>
        <div className="muted small">#{b.id}</div>
      </td>
      <td className="small" title={`${b.from} – ${b.to} (UTC)`}>
        <span className="nowrap">{fmtDate(b.from)}</span> → <span className="nowrap">{fmtDate(b.to)}</span>
      </td>
      <td className="small" title={`reprocess: ${b.reprocess}`}>
        {REPROCESS[b.reprocess] ?? b.reprocess}
      </td>
      <td className="num">{b.maxActiveRuns}</td>
      <td>
        <BackfillProgress b={b} />
      </td>
      <td className="small nowrap" title={fmtDate(b.createdAt)}>
        {fmtShort(b.createdAt)}
        {b.endedAt && <div className="muted">ended {fmtShort(b.endedAt)}</div>}
      </td>
      <td>
        {isActive(b) && (
          <div className="row" style={{ gap: 6 }}>
            <PauseButton b={b} />
            <CancelButton b={b} />
          </div>
        )}
      </td>
    </tr>
  );
}

function PauseButton({ b }: { b: Backfill }) {
  const denied = useDenied("op");
  const pause = usePauseBackfill();
  const toast = useToast();
  const onClick = () =>
    pause.mutate(
      { id: b.id, paused: !b.paused },
      {
        onSuccess: (after) => toast(after.paused ? <>Backfill #{b.id} paused: no new runs start</> : <>Backfill #{b.id} resumed</>, "success"),
        onError: (e) => toast(e.message, "error"),
      },
    );
  return (
    <Tip text={denied ?? (b.paused ? "Start its queued runs again" : "Start none of its queued runs until resumed; running runs finish")}>
      <button
        type="button"
        className="btn btn-sm"
        disabled={Boolean(denied) || pause.isPending}
        onClick={onClick}
        data-testid={b.paused ? "backfill-resume" : "backfill-pause"}
      >
        {b.paused ? (
          <>
            <Icon.play size={12} /> Resume
          </>
        ) : (
          <>
            <Icon.pause size={12} /> Pause
          </>
        )}
      </button>
    </Tip>
  );
}

function CancelButton({ b }: { b: Backfill }) {
  const denied = useDenied("op");
  const cancel = useCancelBackfill();
  const confirm = useConfirm();
  const toast = useToast();
  if (b.state === "done" || b.state === "cancelled") return null;
  const onClick = async () => {
    const ok = await confirm({
      title: `Cancel backfill #${b.id} of ${b.dagId}?`,
      body: <p>No more runs are created for it; its queued runs fail with a note and its running runs finish. To stop it for a while instead, pause it.</p>,
      confirmLabel: "Cancel backfill",
      danger: true,
    });
    if (!ok) return;
    cancel.mutate(b.id, {
      onSuccess: () => toast(<>Backfill #{b.id} cancelled</>, "success"),
      onError: (e) => toast(e.message, "error"),
    });
  };
  return (
    <Tip text={denied}>
      <button
        type="button"
        className="btn btn-sm btn-danger"
        disabled={Boolean(denied) || cancel.isPending}
        onClick={() => void onClick()}
        data-testid="backfill-cancel"
      >
        <Icon.cross size={12} /> Cancel
      </button>
    </Tip>
  );
}
