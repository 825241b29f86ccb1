/** Trends of one DAG (docs/ui.md#trends): durations, landing time and a task's tries over the last runs, and a year of daily outcomes. */
import { useState } from "react";
import { useDag } from "../../api/queries";
import { useTrends, type TrendRun } from "../../api/trends";
import { ErrorState, SkeletonRows } from "../../design/misc";
import { fmtDuration } from "../../lib/format";
import { CalendarHeatmap } from "./calendar-heatmap";
import { TrendChart, type TrendPoint } from "./trend-chart";
import "./trends-tab.css";

const RUN_COUNTS = [25, 50, 100] as const;

const points = (runs: TrendRun[], value: (r: TrendRun) => number | null, state: (r: TrendRun) => string = (r) => r.state): TrendPoint[] =>
  runs.map((r) => ({ runId: r.runId, at: r.logicalDate ?? r.startedAt, state: state(r), value: value(r) }));

const tries = (n: number) => `${Math.round(n)} ${Math.round(n) === 1 ? "try" : "tries"}`;

export function TrendsTab({ dagId }: { dagId: string }) {
  const [runCount, setRunCount] = useState<number>(50);
  const [task, setTask] = useState<string | null>(null);
  const dag = useDag(dagId);
  const taskIds = dag.data?.tasks.map((t) => t.taskId) ?? [];
  const chosen = task ?? taskIds[0] ?? null;
  const trends = useTrends(dagId, { runs: runCount, task: chosen });
  const data = dag.data ? trends.data : undefined;

  if (trends.isError) return <ErrorState error={trends.error} onRetry={() => void trends.refetch()} />;
  if (!data) return <SkeletonRows rows={4} height={140} />;
  const runs = data.runs;
  const taskState = (r: TrendRun) => r.task?.state ?? "none";
  return (
    <div className="stack" data-testid="trends-tab">
      <div className="toolbar">
        <label className="row small">
          <span className="muted">Runs</span>
          <select className="select" style={{ width: "auto" }} value={runCount} onChange={(e) => setRunCount(Number(e.target.value))} data-testid="trends-runs">
            {RUN_COUNTS.map((n) => (
              <option key={n} value={n}>
                last {n}
              </option>
            ))}
          </select>
        </label>
        <label className="row small">
          <span className="muted">Task</span>
          <select
            className="select"
            style={{ width: "auto" }}
            value={chosen ?? ""}
            onChange={(e) => setTask(e.target.value)}
            data-testid="trends-task"
            disabled={taskIds.length === 0}
          >
            {taskIds.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      <TrendChart title="Run duration" kind="bar" testId="trends-duration" points={points(runs, (r) => r.durationMs)} format={fmtDuration} />
      <TrendChart
        title="Landing time (end minus logical date)"
        kind="line"
        testId="trends-landing"
        points={points(runs, (r) => r.landingMs)}
        format={fmtDuration}
      />
      {chosen && (
        <>
          <TrendChart
            title={`Task ${chosen}: duration`}
            kind="line"
            testId="trends-task-duration"
            points={points(runs, (r) => r.task?.durationMs ?? null, taskState)}
            format={fmtDuration}
          />
          <TrendChart
            title={`Task ${chosen}: tries`}
            kind="bar"
            testId="trends-task-tries"
            points={points(runs, (r) => r.task?.tryNumber ?? null, taskState)}
            format={tries}
          />
        </>
      )}
      <CalendarHeatmap firstDay={data.firstDay} today={data.today} timeZone={data.timeZone} days={data.days} />
    </div>
  );
}
