/** Trigger a run: a form generated from the DAG's params schema, optional logical date and run id. */
import { useMemo, useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useTriggerRun } from "../../api/queries";
import type { DagDetail } from "../../api/types";
import { Dialog } from "../../design/dialog";
import { Icon } from "../../design/icons";
import { useToast } from "../../design/toast";
import { fieldErrorsFrom, fieldsOf, initialValue, toConf, type FormValue, type ParamField } from "./param-fields";

export function TriggerDialog({ dag, onClose, onTriggered }: { dag: DagDetail; onClose: () => void; onTriggered: (runId: string) => void }) {
  const fields = useMemo(() => fieldsOf(dag.params?.schema), [dag.params]);
  const [values, setValues] = useState<Record<string, FormValue>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, initialValue(f, dag.params?.defaults ?? {})])),
  );
  const [logicalDate, setLogicalDate] = useState("");
  const [runId, setRunId] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const trigger = useTriggerRun(dag.dagId);
  const toast = useToast();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const { conf, errors: parseErrors } = toConf(fields, values);
    setErrors(parseErrors);
    if (Object.keys(parseErrors).length) return;
    trigger.mutate(
      { conf, ...(logicalDate ? { logicalDate: new Date(logicalDate).toISOString() } : {}), ...(runId.trim() ? { runId: runId.trim() } : {}) },
      {
        onSuccess: (run) => {
          toast(
            <>
              Triggered <code>{run.runId}</code>
            </>,
            "success",
          );
          onTriggered(run.runId);
        },
        onError: (err) => {
          if (err instanceof ApiError && err.status === 400) {
            const fe = fieldErrorsFrom(
              err.message,
              err.field,
              fields.map((f) => f.name),
            );
            if (err.field === "logicalDate" || err.field === "runId") fe[err.field] = err.message;
            setErrors(fe);
            if (Object.keys(fe).length === 0) setFormError(err.message);
          } else setFormError(err.message);
        },
      },
    );
  };

  const set = (name: string, v: FormValue) => {
    setValues((s) => ({ ...s, [name]: v }));
    if (errors[name]) setErrors(({ [name]: _, ...rest }) => rest);
  };

  return (
    <Dialog
      title={
        <>
          Trigger <span className="mono">{dag.dagId}</span>
        </>
      }
      onClose={onClose}
      wide
      testId="trigger-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="trigger-form" className="btn btn-primary" disabled={trigger.isPending} data-testid="trigger-submit">
            <Icon.play size={12} /> {trigger.isPending ? "Triggering…" : "Trigger run"}
          </button>
        </>
      }
    >
      <form id="trigger-form" className="stack" style={{ gap: 16 }} onSubmit={submit} noValidate>
        {formError && (
          <div className="banner banner-danger" role="alert" data-testid="trigger-error">
            <Icon.warn /> {formError}
          </div>
        )}
        {fields.length === 0 ? (
          <p className="muted small">This DAG declares no params; the run starts with an empty conf.</p>
        ) : (
          <fieldset className="stack fieldset" style={{ gap: 16 }}>
            <legend className="section-title">Params</legend>
            {fields.map((f) => (
              <Field key={f.name} field={f} value={values[f.name] ?? ""} error={errors[f.name]} onChange={(v) => set(f.name, v)} />
            ))}
          </fieldset>
        )}
        <details className="advanced">
          <summary className="small">Advanced: logical date and run id</summary>
          <div className="stack" style={{ gap: 16, marginTop: 12 }}>
            <label className="field">
              <span className="field-label">
                Logical date <span className="field-type">optional</span>
              </span>
              <input
                className="input"
                type="datetime-local"
                step="1"
                value={logicalDate}
                onChange={(e) => setLogicalDate(e.target.value)}
                aria-invalid={Boolean(errors.logicalDate)}
                data-testid="trigger-logical-date"
              />
              <span className="field-help">Local time. Leave empty for “now”.</span>
              {errors.logicalDate && (
                <span className="field-error" role="alert">
                  <Icon.warn size={12} /> {errors.logicalDate}
                </span>
              )}
            </label>
            <label className="field">
              <span className="field-label">
                Run id <span className="field-type">optional</span>
              </span>
              <input
                className="input mono"
                value={runId}
                onChange={(e) => setRunId(e.target.value)}
                placeholder="manual__2026-01-01T00:00:00"
                aria-invalid={Boolean(errors.runId)}
                data-testid="trigger-run-id"
              />
              {errors.runId && (
                <span className="field-error" role="alert">
                  <Icon.warn size={12} /> {errors.runId}
                </span>
              )}
            </label>
          </div>
        </details>
      </form>
    </Dialog>
  );
}

function Field({ field: f, value, error, onChange }: { field: ParamField; value: FormValue; error?: string; onChange: (v: FormValue) => void }) {
  const id = `param-${f.name}`;
  const s = f.schema;
  const hints: string[] = [];
  // z.number().int() bounds every integer by ±Number.MAX_SAFE_INTEGER: not a limit worth showing.
  const bound = (v: number | undefined) => (v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  const min = bound(s.minimum ?? s.exclusiveMinimum);
  const max = bound(s.maximum ?? s.exclusiveMaximum);
  const chars = (n: number) => `${n} character${n === 1 ? "" : "s"}`;
  if (min !== undefined) hints.push(`min ${min}`);
  if (max !== undefined) hints.push(`max ${max}`);
  if (s.minLength !== undefined) hints.push(`at least ${chars(s.minLength)}`);
  if (s.maxLength !== undefined) hints.push(`at most ${chars(s.maxLength)}`);
  if (f.kind === "string-array") hints.push("one value per line");
  if (f.kind === "json") hints.push("JSON");
  const describedBy = `${id}-help ${error ? `${id}-error` : ""}`.trim();
  const common = { id, "aria-invalid": Boolean(error), "aria-describedby": describedBy, "aria-required": f.required, "data-testid": id };
  const typeLabel =
    f.kind === "string-array"
      ? "string[]"
      : f.kind === "enum"
        ? "one of"
        : f.kind === "json"
          ? Array.isArray(s.type)
            ? s.type.join(" | ")
            : (s.type ?? "json")
          : f.kind;

  let control: React.ReactNode;
  switch (f.kind) {
    case "boolean":
      control = (
        <label className="checkbox">
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span className="small">{f.description ?? (f.title !== f.name ? f.title : "Enabled")}</span>
        </label>
      );
      break;
    case "enum":
      control = (
        <select className="select" {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {!f.required && <option value="">—</option>}
          {f.options?.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    case "integer":
    case "number":
      control = (
        <input
          className="input"
          type="number"
          inputMode={f.kind === "integer" ? "numeric" : "decimal"}
          step={f.kind === "integer" ? 1 : "any"}
          min={min}
          max={max}
          {...common}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case "string-array":
    case "json":
      control = (
        <textarea
          className="textarea"
          rows={f.kind === "json" ? 5 : 3}
          spellCheck={false}
          {...common}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      control = (
        <input
          className="input"
          type={s.format === "date" ? "date" : "text"}
          minLength={s.minLength}
          maxLength={s.maxLength}
          {...common}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }

  return (
    <div className="field">
      {f.kind !== "boolean" ? (
        <label className="field-label" htmlFor={id}>
          {f.title}
          {f.required && (
            <span className="req" aria-hidden="true">
              *
            </span>
          )}
          {f.required && <span className="sr-only">(required)</span>}
          <span className="field-type">{typeLabel}</span>
        </label>
      ) : (
        <span className="field-label">
          {f.name}
          <span className="field-type">boolean</span>
        </span>
      )}
      {control}
      <span id={`${id}-help`} className="field-help">
        {f.kind !== "boolean" && f.description}
        {f.kind !== "boolean" && f.description && hints.length ? " · " : ""}
        {hints.join(", ")}
      </span>
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert" data-testid={`${id}-error`}>
          <Icon.warn size={12} /> {f.name} {error}
        </span>
      )}
    </div>
  );
}
