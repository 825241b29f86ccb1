/** Run-level commands (Clear failed, Clear all, Mark success, Mark failed, Cancel), confirmed first. */
import { useRunAction, type RunAction } from "../../api/queries";
import type { RunState } from "../../api/types";
import { useConfirm } from "../../design/confirm";
import { Tip } from "../../design/misc";
import { useToast } from "../../design/toast";
import { useDenied } from "../../lib/auth";
import { commandMessage } from "./command-message";

const DEFS: { action: RunAction; label: string; body: string; danger?: boolean; when?: (s: RunState, failedTasks: boolean | undefined) => boolean }[] = [
  {
    action: "clear-failed",
    label: "Clear failed",
    body: "Failed and upstream-failed tasks of this run are reset and run again.",
    when: (s, failedTasks) => failedTasks ?? s === "failed",
  },
  { action: "clear-all", label: "Clear all", body: "Every task of this run is reset and the whole run starts again." },
  { action: "mark-success", label: "Mark success", body: "Unfinished tasks are marked success and the run ends as success.", when: (s) => s !== "success" },
  { action: "mark-failed", label: "Mark failed", body: "Unfinished tasks are stopped and the run ends as failed.", danger: true, when: (s) => s !== "failed" },
  {
    action: "cancel",
    label: "Cancel",
    body: "Running tasks are stopped, queued ones are not started, and the run ends as failed.",
    danger: true,
    when: (s) => s === "running" || s === "queued",
  },
];

/**
 * `failedTasks`: whether the run has failed or upstream-failed tasks, when the caller knows (the
 * run panel reads its task instances); otherwise a failed run is taken to have some. Clear failed
 * is offered only then (a successful run has nothing to clear unless a trigger rule let it pass).
 */
export function RunActions({
  dagId,
  runId,
  state,
  compact,
  failedTasks,
}: {
  dagId: string;
  runId: string;
  state: RunState;
  compact?: boolean;
  failedTasks?: boolean;
}) {
  const denied = useDenied("user");
  const confirm = useConfirm();
  const toast = useToast();
  const m = useRunAction(dagId);
  const go = async (d: (typeof DEFS)[number]) => {
    const ok = await confirm({ title: `${d.label}: ${runId}?`, body: d.body, confirmLabel: d.label, danger: d.danger });
    if (!ok) return;
    m.mutate(
      { runId, action: d.action },
      {
        onSuccess: (res) => toast(commandMessage(`${d.label}: ${runId}`, res), res.status === "applied" ? "success" : "info"),
        onError: (e) => toast(`${d.label} failed: ${e.message}`, "error"),
      },
    );
  };
  return (
    <div className="btn-group" role="group" aria-label={`Actions for run ${runId}`}>
      {DEFS.map((d) => {
        const applicable = !d.when || d.when(state, failedTasks);
        if (compact && !applicable) return null;
        return (
          <Tip key={d.action} text={denied}>
            <button
              type="button"
              className={`btn btn-sm${d.danger ? " btn-danger-outline" : ""}`}
              disabled={Boolean(denied) || !applicable || m.isPending}
              onClick={() => void go(d)}
              data-testid={`run-${d.action}`}
            >
              {d.label}
            </button>
          </Tip>
        );
      })}
    </div>
  );
}
