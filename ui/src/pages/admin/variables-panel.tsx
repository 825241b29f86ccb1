/** Variables: list (sensitive values as •••), create, edit, delete with confirmation. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useDeleteVariable, useSaveVariable, useVariables } from "../../api/queries";
import type { Variable } from "../../api/types";
import { useConfirm } from "../../design/confirm";
import { Dialog } from "../../design/dialog";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows, Tip } from "../../design/misc";
import { useToast } from "../../design/toast";
import { useDenied } from "../../lib/auth";
import { MASKED, RowActions, SourceBadge, UpdatedCell, envReadOnly } from "./secret-bits";

export function VariablesPanel() {
  const variables = useVariables();
  const denied = useDenied("admin");
  const [editing, setEditing] = useState<Variable | "new" | null>(null);
  const remove = useDeleteVariable();
  const confirm = useConfirm();
  const toast = useToast();

  const onDelete = async (v: Variable) => {
    const ok = await confirm({
      title: `Delete variable ${v.key}?`,
      body: (
        <>
          Tasks that read <code>{v.key}</code> will fail until it is set again. This cannot be undone.
        </>
      ),
      confirmLabel: "Delete variable",
      danger: true,
    });
    if (!ok) return;
    remove.mutate(v.key, {
      onSuccess: () =>
        toast(
          <>
            Deleted variable <code>{v.key}</code>
          </>,
          "success",
        ),
      onError: (e) => toast(e.message, "error"),
    });
  };

  const newButton = (
    <Tip text={denied}>
      <button type="button" className="btn btn-primary" onClick={() => setEditing("new")} disabled={Boolean(denied)} data-testid="new-variable">
        <Icon.bolt size={12} /> New variable
      </button>
    </Tip>
  );

  return (
    <div className="stack" style={{ gap: 12 }}>
      <div className="row toolbar">
        <span className="muted small">
          Tasks read them with <code>ctx.variable(key)</code>; <code>BATON_VAR_&lt;KEY&gt;</code> overrides a stored one. Keys naming a secret (password, token,
          secret, api_key …) are write-only.
        </span>
        <span className="spacer" />
        {newButton}
      </div>
      <div className="card">
        {variables.isPending ? (
          <SkeletonRows rows={3} />
        ) : variables.isError ? (
          <ErrorState error={variables.error} onRetry={() => void variables.refetch()} />
        ) : variables.data.length === 0 ? (
          <EmptyState icon={<Icon.file size={22} />} title="No variables yet" action={newButton}>
            <p className="small">
              Set one here or with <code>baton variables set region eu-west-1</code>.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="variables-table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">Description</th>
                  <th scope="col">Source</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {variables.data.map((v) => {
                  const readOnly = envReadOnly(v.readOnly, v.envVar);
                  return (
                    <tr key={v.key} data-testid={`variable-row-${v.key}`}>
                      <td className="mono small">{v.key}</td>
                      <td className="mono small" data-testid={`variable-value-${v.key}`} style={{ overflowWrap: "anywhere", maxWidth: 420 }}>
                        {v.sensitive ? (
                          <span title="Sensitive: write-only" aria-label="sensitive value hidden">
                            {MASKED}
                          </span>
                        ) : v.value === "" ? (
                          <span className="muted">(empty)</span>
                        ) : (
                          v.value
                        )}
                      </td>
                      <td className="small">{v.description || <span className="muted">—</span>}</td>
                      <td>
                        <SourceBadge source={v.source} envVar={v.envVar} />
                      </td>
                      <UpdatedCell at={v.updatedAt} />
                      <RowActions what="variable" id={v.key} locked={denied ?? readOnly} onEdit={() => setEditing(v)} onDelete={() => void onDelete(v)} />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {editing !== null && <VariableDialog variable={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** A sensitive variable's value is write-only: the field starts empty and, left so, keeps it. */
function VariableDialog({ variable, onClose }: { variable: Variable | null; onClose: () => void }) {
  const creating = variable === null;
  const writeOnly = variable?.sensitive ?? false;
  const [key, setKey] = useState(variable?.key ?? "");
  const [value, setValue] = useState(writeOnly ? "" : (variable?.value ?? ""));
  const [description, setDescription] = useState(variable?.description ?? "");
  const [errors, setErrors] = useState<{ key?: string; value?: string; description?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useSaveVariable();
  const toast = useToast();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (creating && !/^[A-Za-z0-9_.-]{1,250}$/.test(key)) return setErrors({ key: "Letters, digits, _ . - only (1–250 characters)" });
    setErrors({});
    const body = writeOnly && value === "" ? { description } : { value, description };
    save.mutate(
      { key: creating ? key : variable.key, body, create: creating },
      {
        onSuccess: (v) => {
          toast(
            <>
              {creating ? "Set" : "Saved"} variable <code>{v.key}</code>
            </>,
            "success",
          );
          onClose();
        },
        onError: (err) => {
          const field = err instanceof ApiError ? err.field : undefined;
          if (field === "key" || field === "value" || field === "description") setErrors({ [field]: err.message });
          else setFormError(err.message);
        },
      },
    );
  };

  return (
    <Dialog
      title={
        creating ? (
          "New variable"
        ) : (
          <>
            Edit variable <span className="mono">{variable.key}</span>
          </>
        )
      }
      onClose={onClose}
      testId="variable-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="variable-form" className="btn btn-primary" disabled={save.isPending} data-testid="variable-submit">
            {save.isPending ? "Saving…" : creating ? "Set variable" : "Save changes"}
          </button>
        </>
      }
    >
      <form id="variable-form" className="stack" style={{ gap: 14 }} onSubmit={submit} noValidate autoComplete="off">
        {formError && (
          <div className="banner banner-danger" role="alert" data-testid="variable-form-error">
            <Icon.warn /> {formError}
          </div>
        )}
        <div className="field">
          <label className="field-label" htmlFor="var-key">
            Key
            <span className="req" aria-hidden="true">
              *
            </span>
          </label>
          <input
            id="var-key"
            className="input mono"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            disabled={!creating}
            aria-invalid={Boolean(errors.key)}
            data-testid="var-key"
            placeholder="region"
          />
          {errors.key && (
            <span className="field-error" role="alert">
              <Icon.warn size={12} /> {errors.key}
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor="var-value">
            Value{writeOnly && <span className="field-type">write-only</span>}
          </label>
          {writeOnly ? (
            <input
              id="var-value"
              className="input mono"
              type="password"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder="•••••••• (unchanged)"
              autoComplete="new-password"
              aria-invalid={Boolean(errors.value)}
              data-testid="var-value"
            />
          ) : (
            <textarea
              id="var-value"
              className="textarea"
              rows={3}
              spellCheck={false}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={Boolean(errors.value)}
              data-testid="var-value"
            />
          )}
          <span className="field-help">
            {writeOnly
              ? "Sensitive: leave empty to keep the stored value."
              : "A key naming a secret (password, token, secret, api_key …) makes the value write-only once saved."}
          </span>
          {errors.value && (
            <span className="field-error" role="alert">
              <Icon.warn size={12} /> {errors.value}
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor="var-description">
            Description
          </label>
          <input id="var-description" className="input" value={description} onChange={(e) => setDescription(e.target.value)} data-testid="var-description" />
          {errors.description && (
            <span className="field-error" role="alert">
              <Icon.warn size={12} /> {errors.description}
            </span>
          )}
        </div>
      </form>
    </Dialog>
  );
}
