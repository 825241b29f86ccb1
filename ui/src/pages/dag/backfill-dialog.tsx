/**
 * Backfill a DAG (docs/ui.md#backfills): a range of logical dates (wall-clock time in the DAG's
 * time zone), the reprocess mode and max active runs; the API's dry run previews, as the form
 * changes, the runs it would create, re-run or keep; then create. Needs the op role.
 */
import { useEffect, useState, type FormEvent } from "react";
import { useBackfillPreview, useCreateBackfill, type BackfillPreview } from "../../api/backfills";
import type { DagDetail } from "../../api/types";
import { Dialog } from "../../design/dialog";
import { Icon } from "../../design/icons";
import { StateBadge } from "../../design/state";
import { useToast } from "../../design/toast";
import "../backfills-page.css";

const REPROCESS = [
  { value: "none", label: "Missing runs only", hint: "Existing runs in the range are kept as they are." },
  { value: "failed", label: "Missing and failed runs", hint: "Failed runs in the range are cleared and run again." },
  { value: "completed", label: "All runs", hint: "Every finished run in the range is cleared and run again." },
] as const;

const ACTION_LABEL = { create: "new run", rerun: "re-run", keep: "kept" } as const;
const ACTION_STATE = { create: "scheduled", rerun: "up_for_retry", keep: "none" } as const;

/** Waits until a value stops changing for `ms`, so typing a date does not fire a dry run per key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function BackfillDialog({ dag, onClose, onCreated }: { dag: DagDetail; onClose: () => void; onCreated: (id: number) => void }) {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [reprocess, setReprocess] = useState<(typeof REPROCESS)[number]["value"]>("none");
  const [maxActiveRuns, setMaxActiveRuns] = useState("");
  const [force, setForce] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const max = maxActiveRuns.trim() === "" ? undefined : Number(maxActiveRuns);
  const maxBad = max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10_000);
  const form = useSettled({ dagId: dag.dagId, from, to, reprocess, ...(max !== undefined && !maxBad ? { maxActiveRuns: max } : {}) }, 250);
  const preview = useBackfillPreview(form, form.from !== "" && form.to !== "");
  const create = useCreateBackfill();
  const toast = useToast();
  const p = preview.data;
  const ready = from !== "" && to !== "" && !maxBad && p !== undefined && !preview.isFetching && p.count > 0 && (!p.needsForce || force);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setFormError(null);
    create.mutate(
      { dagId: dag.dagId, from, to, reprocess, ...(max !== undefined ? { maxActiveRuns: max } : {}), ...(force ? { force: true } : {}) },
      {
        onSuccess: (b) => {
          toast(
            <>
              Backfill #{b.id} of <code>{dag.dagId}</code> created
            </>,
            "success",
          );
          onCreated(b.id);
        },
        onError: (err) => setFormError(err.message),
      },
    );
  };

  return (
    <Dialog
      title={
        <>
          Backfill <span className="mono">{dag.dagId}</span>
        </>
      }
      onClose={onClose}
      wide
      testId="backfill-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="backfill-form" className="btn btn-primary" disabled={!ready || create.isPending} data-testid="backfill-submit">
            <Icon.play size={12} />{" "}
            {create.isPending ? "Creating…" : p && p.count > 0 ? `Create backfill (${p.more ? `${p.count}+` : p.count} intervals)` : "Create backfill"}
          </button>
        </>
      }
    >
      <form id="backfill-form" className="stack" style={{ gap: 16 }} onSubmit={submit} noValidate>
        {formError && (
          <div className="banner banner-danger" role="alert" data-testid="backfill-error">
            <Icon.warn /> {formError}
          </div>
        )}
        <p className="muted small" style={{ margin: 0 }}>
          One run per scheduled interval (<code>{dag.schedule}</code>) whose logical date is in the range, both ends included; times are wall-clock times in the
          DAG's time zone, <strong>{dag.timezone}</strong>. The scheduler runs them, oldest first.
        </p>
        <div className="row-wrap" style={{ gap: 16, alignItems: "flex-start" }}>
          <label className="field">
            <span className="field-label">
              From
              <span className="req" aria-hidden="true">
                *
              </span>
            </span>
            <input className="input" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required data-testid="backfill-from" />
          </label>
          <label className="field">
            <span className="field-label">
              To
              <span className="req" aria-hidden="true">
                *
              </span>
            </span>
            <input className="input" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required data-testid="backfill-to" />
          </label>
        </div>
        <div className="row-wrap" style={{ gap: 16, alignItems: "flex-start" }}>
          <label className="field">
            <span className="field-label">Reprocess</span>
            <select className="select" value={reprocess} onChange={(e) => setReprocess(e.target.value as typeof reprocess)} data-testid="backfill-reprocess">
              {REPROCESS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <span className="field-help">{REPROCESS.find((r) => r.value === reprocess)!.hint}</span>
          </label>
          <label className="field">
            <span className="field-label">
              Max active runs <span className="field-type">optional</span>
            </span>
            <input
              className="input"
              type="number"
              min={1}
              max={10_000}
              step={1}
              inputMode="numeric"
              value={maxActiveRuns}
              placeholder={String(dag.maxActiveRuns)}
              onChange={(e) => setMaxActiveRuns(e.target.value)}
              aria-invalid={maxBad}
              data-testid="backfill-max-active"
            />
            <span className="field-help">Runs of this backfill at once (default: the DAG's, {dag.maxActiveRuns}).</span>
            {maxBad && (
              <span className="field-error" role="alert">
                <Icon.warn size={12} /> a whole number from 1 to 10000
              </span>
            )}
          </label>
        </div>
        <section aria-label="Dry run" className="stack" style={{ gap: 8 }} data-testid="backfill-preview">
          <h3 className="section-title" style={{ margin: 0 }}>
            Dry run
          </h3>
          {from === "" || to === "" ? (
            <p className="muted small" style={{ margin: 0 }}>
              Choose a range to see the runs it would create.
            </p>
          ) : preview.isError ? (
            <div className="banner banner-danger" role="alert" data-testid="backfill-preview-error">
              <Icon.warn /> {preview.error.message}
            </div>
          ) : !p ? (
            <p className="muted small" style={{ margin: 0 }}>
              Checking the range…
            </p>
          ) : (
            <PreviewList p={p} force={force} setForce={setForce} />
          )}
        </section>
      </form>
    </Dialog>
  );
}

function PreviewList({ p, force, setForce }: { p: BackfillPreview; force: boolean; setForce: (v: boolean) => void }) {
  const counts = { create: 0, rerun: 0, keep: 0 };
  for (const r of p.runs) counts[r.action]++;
  if (p.count === 0)
    return (
      <p className="small" data-testid="backfill-preview-summary" style={{ margin: 0 }}>
        No scheduled interval in this range: nothing to backfill.
      </p>
    );
  return (
    <>
      <p className="small" data-testid="backfill-preview-summary" style={{ margin: 0 }}>
        <strong>{p.more ? `more than ${p.count}` : p.count}</strong> interval{p.count === 1 ? "" : "s"}: {counts.create} new run{counts.create === 1 ? "" : "s"}
        , {counts.rerun} re-run, {counts.keep} kept{p.runs.length < p.count ? ` (in the first ${p.runs.length})` : ""}; up to {p.maxActiveRuns} at once.
      </p>
      {p.needsForce && (
        <label className="banner" role="status">
          <Icon.warn />
          <span className="checkbox">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="backfill-force" />
            <span className="small">More than 1,000 runs: create it anyway (force).</span>
          </span>
        </label>
      )}
      <div className="preview-list">
        <table className="table" data-testid="backfill-preview-runs">
          <thead>
            <tr>
              <th scope="col">Logical date</th>
              <th scope="col">Data interval</th>
              <th scope="col">What happens</th>
            </tr>
          </thead>
          <tbody>
            {p.runs.map((r) => (
              <tr key={r.logicalDate} data-action={r.action}>
                <td className="mono small nowrap">{r.logicalDate}</td>
                <td className="mono small nowrap muted">
                  {r.dataIntervalStart} → {r.dataIntervalEnd}
                </td>
                <td className="small">
                  <StateBadge state={ACTION_STATE[r.action]} label={ACTION_LABEL[r.action]} />
                  {r.existingRunId && (
                    <span className="muted">
                      {" "}
                      {r.existingRunId} ({r.existingState})
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
