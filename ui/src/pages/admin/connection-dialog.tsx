/** Create or edit a connection. The password is write-only: never prefilled, kept when left empty. */
import { useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../../api/client";
import { useSaveConnection, type ConnectionBody } from "../../api/queries";
import type { Connection } from "../../api/types";
import { Dialog } from "../../design/dialog";
import { Icon } from "../../design/icons";
import { useToast } from "../../design/toast";

const TYPES = ["postgres", "mysql", "mariadb", "http", "https", "sqlite", "duckdb", "s3", "smtp", "amqp", "nats", "redis", "mqtt"];
type FieldName = "id" | "type" | "host" | "port" | "login" | "password" | "schema" | "extra" | "description";

export function ConnectionDialog({ connection, onClose }: { connection: Connection | null; onClose: () => void }) {
  const creating = connection === null;
  const [v, setV] = useState({
    id: connection?.id ?? "",
    type: connection?.type ?? "postgres",
    host: connection?.host ?? "",
    port: connection?.port === null || connection === null ? "" : String(connection.port),
    login: connection?.login ?? "",
    password: "",
    schema: connection?.schema ?? "",
    extra: connection && Object.keys(connection.extra).length > 0 ? JSON.stringify(connection.extra, null, 2) : "",
    description: connection?.description ?? "",
  });
  const [clearPassword, setClearPassword] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useSaveConnection();
  const toast = useToast();

  const set = (name: FieldName, value: string) => {
    setV((s) => ({ ...s, [name]: value }));
    if (errors[name]) setErrors(({ [name]: _, ...rest }) => rest);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const found: Partial<Record<FieldName, string>> = {};
    if (creating && !/^[A-Za-z0-9_.-]{1,250}$/.test(v.id)) found.id = "Letters, digits, _ . - only (1–250 characters)";
    if (!v.type.trim()) found.type = "Required";
    const port = v.port.trim() === "" ? null : Number(v.port);
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) found.port = "A number from 0 to 65535";
    const extra = parseExtra(v.extra);
    if (typeof extra === "string") found.extra = extra;
    setErrors(found);
    if (Object.keys(found).length > 0 || typeof extra === "string") return;
    const body: ConnectionBody = {
      type: v.type.trim(),
      host: v.host.trim() || null,
      port,
      login: v.login || null,
      schema: v.schema || null,
      extra,
      description: v.description,
      // Write-only: left empty keeps the stored password (or sets none on create).
      ...(clearPassword ? { password: null } : v.password !== "" ? { password: v.password } : {}),
    };
    save.mutate(
      { id: creating ? v.id : connection.id, body, create: creating },
      {
        onSuccess: (c) => {
          toast(
            <>
              {creating ? "Created" : "Saved"} connection <code>{c.id}</code>
            </>,
            "success",
          );
          onClose();
        },
        onError: (err) => {
          const field = err instanceof ApiError ? fieldOf(err.field) : null;
          if (field) setErrors({ [field]: err.message });
          else setFormError(err.message);
        },
      },
    );
  };

  return (
    <Dialog
      title={
        creating ? (
          "New connection"
        ) : (
          <>
            Edit connection <span className="mono">{connection.id}</span>
          </>
        )
      }
      onClose={onClose}
      wide
      testId="connection-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="connection-form" className="btn btn-primary" disabled={save.isPending} data-testid="connection-submit">
            {save.isPending ? "Saving…" : creating ? "Create connection" : "Save changes"}
          </button>
        </>
      }
    >
      <form id="connection-form" className="stack" style={{ gap: 14 }} onSubmit={submit} noValidate autoComplete="off">
        {formError && (
          <div className="banner banner-danger" role="alert" data-testid="connection-form-error">
            <Icon.warn /> {formError}
          </div>
        )}
        <div className="row" style={{ gap: 12, alignItems: "flex-start" }}>
          <Field name="id" label="Id" required error={errors.id} help={creating ? "Tasks ask for it by this name." : "The id cannot change."} grow={2}>
            <input
              id="conn-id"
              className="input mono"
              value={v.id}
              onChange={(e) => set("id", e.target.value)}
              disabled={!creating}
              aria-invalid={Boolean(errors.id)}
              data-testid="conn-id"
              placeholder="warehouse"
            />
          </Field>
          <Field name="type" label="Type" required error={errors.type} grow={1}>
            <input
              id="conn-type"
              className="input mono"
              list="conn-types"
              value={v.type}
              onChange={(e) => set("type", e.target.value)}
              aria-invalid={Boolean(errors.type)}
              data-testid="conn-type"
            />
            <datalist id="conn-types">
              {TYPES.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </Field>
        </div>
        <div className="row" style={{ gap: 12, alignItems: "flex-start" }}>
          <Field name="host" label="Host" error={errors.host} grow={3}>
            <input
              id="conn-host"
              className="input mono"
              value={v.host}
              onChange={(e) => set("host", e.target.value)}
              aria-invalid={Boolean(errors.host)}
              data-testid="conn-host"
              placeholder="db.internal"
            />
          </Field>
          <Field name="port" label="Port" error={errors.port} grow={1}>
            <input
              id="conn-port"
              className="input mono"
              inputMode="numeric"
              value={v.port}
              onChange={(e) => set("port", e.target.value)}
              aria-invalid={Boolean(errors.port)}
              data-testid="conn-port"
              placeholder="5432"
            />
          </Field>
        </div>
        <div className="row" style={{ gap: 12, alignItems: "flex-start" }}>
          <Field name="login" label="Login" error={errors.login} grow={1}>
            <input
              id="conn-login"
              className="input mono"
              value={v.login}
              onChange={(e) => set("login", e.target.value)}
              aria-invalid={Boolean(errors.login)}
              data-testid="conn-login"
              autoComplete="off"
            />
          </Field>
          <Field
            name="password"
            label="Password"
            error={errors.password}
            grow={1}
            help={
              creating
                ? "Write-only: it is never shown again."
                : connection.hasPassword
                  ? "Set. Leave empty to keep it; type a new one to replace it."
                  : "None set."
            }
          >
            <input
              id="conn-password"
              className="input mono"
              type="password"
              value={v.password}
              onChange={(e) => set("password", e.target.value)}
              disabled={clearPassword}
              placeholder={!creating && connection.hasPassword ? "•••••••• (unchanged)" : ""}
              autoComplete="new-password"
              aria-invalid={Boolean(errors.password)}
              data-testid="conn-password"
            />
            {!creating && connection.hasPassword && (
              <label className="checkbox small">
                <input type="checkbox" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} data-testid="conn-clear-password" /> Remove
                the password
              </label>
            )}
          </Field>
        </div>
        <Field name="schema" label="Schema" error={errors.schema} help="Database name, path or bucket, depending on the type.">
          <input
            id="conn-schema"
            className="input mono"
            value={v.schema}
            onChange={(e) => set("schema", e.target.value)}
            aria-invalid={Boolean(errors.schema)}
            data-testid="conn-schema"
          />
        </Field>
        <Field
          name="extra"
          label="Extras"
          type="JSON object"
          error={errors.extra}
          help={
            <>
              For example <code>{`{"sslmode": "require"}`}</code>. Sensitive extras (token, secret, api_key …) show as <code>***</code>; leave them so to keep
              them.
            </>
          }
        >
          <textarea
            id="conn-extra"
            className="textarea"
            rows={3}
            spellCheck={false}
            value={v.extra}
            onChange={(e) => set("extra", e.target.value)}
            aria-invalid={Boolean(errors.extra)}
            data-testid="conn-extra"
          />
        </Field>
        <Field name="description" label="Description" error={errors.description}>
          <input
            id="conn-description"
            className="input"
            value={v.description}
            onChange={(e) => set("description", e.target.value)}
            data-testid="conn-description"
          />
        </Field>
      </form>
    </Dialog>
  );
}

function Field({
  name,
  label,
  required,
  type,
  help,
  error,
  grow,
  children,
}: {
  name: FieldName;
  label: string;
  required?: boolean;
  type?: string;
  help?: ReactNode;
  error?: string;
  grow?: number;
  children: ReactNode;
}) {
  const id = `conn-${name}`;
  return (
    <div className="field" style={grow ? { flex: grow, minWidth: 0 } : undefined}>
      <label className="field-label" htmlFor={id}>
        {label}
        {required && (
          <span className="req" aria-hidden="true">
            *
          </span>
        )}
        {type && <span className="field-type">{type}</span>}
      </label>
      {children}
      {help && <span className="field-help">{help}</span>}
      {error && (
        <span className="field-error" role="alert" data-testid={`${id}-error`}>
          <Icon.warn size={12} /> {error}
        </span>
      )}
    </div>
  );
}

/** `{}` for empty text, the object of strings, or an error message. */
function parseExtra(text: string): Record<string, string> | string {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "Not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "Must be a JSON object";
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(value)) out[k] = typeof x === "string" ? x : JSON.stringify(x);
  return out;
}

function fieldOf(field: string | undefined): FieldName | null {
  const head = field?.split(".")[0];
  if (head === "uri") return "host";
  const names: FieldName[] = ["id", "type", "host", "port", "login", "password", "schema", "extra", "description"];
  return names.find((n) => n === head) ?? null;
}
