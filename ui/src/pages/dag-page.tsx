/** One DAG: header (schedule, tags, owner, pause, Trigger) and the Grid/Graph/Gantt/Runs/Code/Trends tabs. */
import { lazy, Suspense, useEffect, useState } from "react";
import { useDag, usePauseDag } from "../api/queries";
import { Icon } from "../design/icons";
import { ErrorState, Skeleton, Switch, Tabs, Tip, type TabDef } from "../design/misc";
import { useToast } from "../design/toast";
import { useDenied } from "../lib/auth";
import { fmtShort, fmtRelative } from "../lib/format";
import { Link, navigate, useRouter } from "../router";
import { GridTab } from "./dag/grid-tab";
import { ImportErrorMarker } from "./dag/import-error-marker";
import { isNotFound, NotFoundPage } from "./not-found-page";

// The grid is what a DAG opens on: the other tabs and the dialogs are loaded when first shown, so
// opening a DAG compiles only the grid's code (docs/ui.md, "First load").
const GraphTab = lazy(() => import("./dag/graph-tab"));
const RunsTab = lazy(() => import("./dag/runs-tab").then((m) => ({ default: m.RunsTab })));
const GanttTab = lazy(() => import("./dag/gantt-tab").then((m) => ({ default: m.GanttTab })));
const CodeTab = lazy(() => import("./dag/code-tab").then((m) => ({ default: m.CodeTab })));
const TrendsTab = lazy(() => import("./dag/trends-tab").then((m) => ({ default: m.TrendsTab })));
const TriggerDialog = lazy(() => import("./dag/trigger-dialog").then((m) => ({ default: m.TriggerDialog })));
const BackfillDialog = lazy(() => import("./dag/backfill-dialog").then((m) => ({ default: m.BackfillDialog })));

export type DagTab = "grid" | "graph" | "gantt" | "runs" | "code" | "trends";
const TABS: TabDef<DagTab>[] = [
  { id: "grid", label: "Grid", hint: "Shortcut: 1" },
  { id: "graph", label: "Graph", hint: "Shortcut: 2" },
  { id: "gantt", label: "Gantt", hint: "Shortcut: 3" },
  { id: "runs", label: "Runs", hint: "Shortcut: 4" },
  { id: "code", label: "Code", hint: "Shortcut: 5" },
  { id: "trends", label: "Trends", hint: "Shortcut: 6" },
];

export function DagPage({ dagId, tab }: { dagId: string; tab: string }) {
  const dag = useDag(dagId);
  const pause = usePauseDag();
  const toast = useToast();
  const denied = useDenied("user");
  const { location } = useRouter();
  const [triggerOpen, setTriggerOpen] = useState(false);
  const [backfillOpen, setBackfillOpen] = useState(false);
  const backfillDenied = useDenied("op");
  const current: DagTab = (TABS.some((t) => t.id === tab) ? tab : "grid") as DagTab;

  const go = (t: DagTab) => {
    const keep = new URLSearchParams();
    const run = location.search.get("run");
    if (run) keep.set("run", run);
    if (t === "grid" && location.search.get("task")) keep.set("task", location.search.get("task")!);
    const s = keep.toString();
    navigate(`/dags/${encodeURIComponent(dagId)}/${t}${s ? `?${s}` : ""}`);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.metaKey || e.ctrlKey || e.altKey || el.closest("input, textarea, select, [contenteditable], [role=dialog], [role=alertdialog]")) return;
      const i = Number(e.key);
      if (i >= 1 && i <= TABS.length) {
        e.preventDefault();
        go(TABS[i - 1]!.id);
      } else if (e.key === "t" && !denied) {
        e.preventDefault();
        setTriggerOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (dag.isError)
    return isNotFound(dag.error) ? <NotFoundPage missing={{ kind: "dag", dagId }} /> : <ErrorState error={dag.error} onRetry={() => void dag.refetch()} />;
  const d = dag.data;

  return (
    <>
      <div className="crumbs">
        <Link to="/dags">DAGs</Link>
        <Icon.chevronRight size={12} />
        <span>{dagId}</span>
      </div>
      <div className="page-head dag-head">
        <div className="stack" style={{ gap: 6, minWidth: 0 }}>
          <h1 data-testid="dag-title">
            {dagId}
            {d?.paused && (
              <span className="badge">
                <Icon.pause size={10} /> Paused
              </span>
            )}
          </h1>
          {d ? (
            <>
              <ImportErrorMarker dag={d} />
              {d.description && <p className="muted">{d.description}</p>}
              <div className="row-wrap meta">
                <span title="Schedule">
                  <Icon.calendar size={14} /> <code>{d.schedule ?? "manual only"}</code>
                  {d.timezone && d.timezone !== "UTC" ? <span className="muted"> ({d.timezone})</span> : null}
                </span>
                {d.triggers.length > 0 && (
                  <span title={d.triggers.map((t) => `${t.id}: ${t.description}`).join("\n")} data-testid="dag-triggers">
                    <Icon.bolt size={14} /> {d.triggers.length === 1 ? d.triggers[0]!.description : `${d.triggers.length} event triggers`}
                  </span>
                )}
                {d.nextRunAfter && !d.paused && (
                  <span className="muted">
                    Next run {fmtShort(d.nextRunAfter)} ({fmtRelative(d.nextRunAfter)})
                  </span>
                )}
                <span title="Owner">
                  <Icon.user size={14} /> {d.owner ?? "no owner"}
                </span>
                <span className="muted">
                  {d.taskCount} task{d.taskCount === 1 ? "" : "s"}
                </span>
                {d.tags.map((t) => (
                  <Link key={t} to={`/dags?tag=${encodeURIComponent(t)}`} className="tag">
                    {t}
                  </Link>
                ))}
              </div>
            </>
          ) : (
            <Skeleton width={380} height={16} />
          )}
        </div>
        <span className="spacer" />
        <div className="row">
          <Tip text={denied}>
            <label className="row small" style={{ gap: 8, color: "var(--text-2)" }}>
              <Switch
                checked={d ? !d.paused : false}
                disabled={!d || Boolean(denied)}
                onChange={(active) => pause.mutate({ dagId, paused: !active }, { onError: (e) => toast(e.message, "error") })}
                label={d?.paused ? "Unpause DAG" : "Pause DAG"}
                testId="dag-pause-toggle"
              />
              {d?.paused ? "Paused" : "Active"}
            </label>
          </Tip>
          <Tip text={backfillDenied ?? (d && !d.schedule ? "This DAG has no recurring schedule to backfill" : null)}>
            <button
              type="button"
              className="btn"
              onClick={() => setBackfillOpen(true)}
              disabled={!d || !d.schedule || Boolean(backfillDenied)}
              data-testid="backfill-button"
              title="Run the DAG over a past range"
            >
              <Icon.calendar size={12} /> Backfill
            </button>
          </Tip>
          <Tip text={denied}>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => setTriggerOpen(true)}
              disabled={!d || Boolean(denied)}
              data-testid="trigger-button"
              title="Trigger a run (t)"
            >
              <Icon.play size={12} /> Trigger
            </button>
          </Tip>
        </div>
      </div>

      <Tabs tabs={TABS} value={current} onChange={go} label="DAG views" />
      <section role="tabpanel" id={`tabpanel-${current}`} aria-labelledby={`tab-${current}`} className="tabpanel">
        <Suspense fallback={<Skeleton height={480} />}>
          {current === "grid" && <GridTab dagId={dagId} />}
          {current === "graph" && <GraphTab dagId={dagId} dag={d} />}
          {current === "gantt" && <GanttTab dagId={dagId} />}
          {current === "runs" && <RunsTab dagId={dagId} />}
          {current === "code" && <CodeTab dagId={dagId} />}
          {current === "trends" && <TrendsTab dagId={dagId} />}
        </Suspense>
      </section>
      <Suspense fallback={null}>
        {backfillOpen && d && (
          <BackfillDialog
            dag={d}
            onClose={() => setBackfillOpen(false)}
            onCreated={() => {
              setBackfillOpen(false);
              navigate(`/backfills?dag=${encodeURIComponent(dagId)}`);
            }}
          />
        )}
        {triggerOpen && d && (
          <TriggerDialog
            dag={d}
            onClose={() => setTriggerOpen(false)}
            onTriggered={(runId) => {
              setTriggerOpen(false);
              navigate(`/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}`);
            }}
          />
        )}
      </Suspense>
    </>
  );
}
