/** A select of the DAG's recent runs, bound to `?run=`; defaults to the newest run. */
import { useRuns } from "../../api/queries";
import type { Run } from "../../api/types";
import { stateLabel } from "../../design/state";
import { fmtShort } from "../../lib/format";
import { useSearchParam } from "../../router";

export function useSelectedRun(dagId: string): { run: Run | null; runs: Run[]; loading: boolean; runId: string | null } {
  const runs = useRuns(dagId, { limit: 50 });
  const [sp] = useSearchParam();
  const list = runs.data?.pages.flatMap((p) => p.runs) ?? [];
  const wanted = sp.get("run");
  const run = (wanted ? list.find((r) => r.runId === wanted) : list[0]) ?? null;
  return { run, runs: list, loading: runs.isPending, runId: wanted ?? run?.runId ?? null };
}

export function RunPicker({ dagId, allowLatest, label = "Run" }: { dagId: string; allowLatest?: string; label?: string }) {
  const { runs } = useSelectedRun(dagId);
  const [sp, setSp] = useSearchParam();
  const value = sp.get("run") ?? (allowLatest ? "" : (runs[0]?.runId ?? ""));
  return (
    <label className="row small">
      <span className="muted">{label}</span>
      <select
        className="select"
        style={{ width: "auto", maxWidth: 560 }}
        value={value}
        onChange={(e) => setSp({ run: e.target.value || null }, true)}
        data-testid="run-picker"
      >
        {allowLatest && <option value="">{allowLatest}</option>}
        {runs.length === 0 && !allowLatest && <option value="">No runs</option>}
        {runs.map((r) => (
          <option key={r.runId} value={r.runId}>
            {r.runId} — {stateLabel(r.state)}
            {r.logicalDate ? ` — ${fmtShort(r.logicalDate)}` : ""}
          </option>
        ))}
        {value && !runs.some((r) => r.runId === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}
