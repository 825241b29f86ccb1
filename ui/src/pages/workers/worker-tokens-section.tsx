/**
 * Worker tokens, for admins: create one (its text is shown once, with a copy button), list them
 * with when a worker last used each and the workers connected with it, revoke with confirmation.
 */
import { useRef, useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useCreateWorkerToken, useRevokeWorkerToken, useWorkerTokens, type CreatedWorkerToken, type WorkerToken } from "../../api/workers";
import { useConfirm } from "../../design/confirm";
import { Dialog } from "../../design/dialog";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../../design/misc";
import { StateBadge } from "../../design/state";
import { useToast } from "../../design/toast";
import { fmtDate, fmtRelative } from "../../lib/format";

const QUEUE = /^[A-Za-z0-9_.-]{1,64}$/;

export function WorkerTokensSection({ now }: { now: number }) {
  const tokens = useWorkerTokens();
  const [creating, setCreating] = useState(false);
  const revoke = useRevokeWorkerToken();
  const confirm = useConfirm();
  const toast = useToast();

  const onRevoke = async (t: WorkerToken) => {
    const ok = await confirm({
      title: `Revoke worker token ${t.name}?`,
      body: (
        <>
          {t.workers.length > 0 ? (
            <>
              {t.workers.length} worker(s) connected with it ({t.workers.map((w) => w.name).join(", ")}) are disconnected and refused; their running attempts
              are retried elsewhere by their policy.{" "}
            </>
          ) : null}
          Workers cannot connect with <code>{t.id}</code> again. This cannot be undone.
        </>
      ),
      confirmLabel: "Revoke token",
      danger: true,
    });
    if (!ok) return;
    revoke.mutate(t.id, {
      onSuccess: () =>
        toast(
          <>
            Revoked worker token <code>{t.name}</code>
          </>,
          "success",
        ),
      onError: (e) => toast(e.message, "error"),
    });
  };

  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-worker-token">
      <Icon.bolt size={12} /> New worker token
    </button>
  );

  return (
    <div className="card" data-testid="worker-tokens">
      <div className="card-head">
        <h2 className="section-title">Worker tokens</h2>
        <span className="muted small">
          what <code>baton worker</code> authenticates with (<code>BATON_WORKER_TOKEN</code>); scoped to queues; admins only
        </span>
        <span className="spacer" />
        {newButton}
      </div>
      {tokens.isPending ? (
        <SkeletonRows rows={2} />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState icon={<Icon.user size={22} />} title="No worker tokens yet" action={newButton}>
          <p className="small">
            Or from the command line: <code>baton tokens create --worker --queues gpu</code>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="worker-tokens-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Queues</th>
                <th scope="col">Created</th>
                <th scope="col">Last seen</th>
                <th scope="col">Workers using it</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id} data-testid={`worker-token-row-${t.name}`} data-revoked={t.revokedAt ? "true" : "false"}>
                  <td>
                    <span style={{ fontWeight: 600 }}>{t.name}</span>
                    <div className="mono small muted">{t.id}</div>
                  </td>
                  <td>
                    {t.queues === null ? (
                      <span className="muted small">any queue</span>
                    ) : (
                      <div className="row-wrap">
                        {t.queues.map((q) => (
                          <span key={q} className="tag mono">
                            {q}
                          </span>
                        ))}
                      </div>
                    )}
                  </td>
                  <td className="small nowrap" title={fmtDate(t.createdAt)}>
                    {fmtRelative(t.createdAt, now)}
                    <div className="muted">{t.createdBy ?? ""}</div>
                  </td>
                  <td className="small nowrap" title={fmtDate(t.lastSeenAt)} data-testid="worker-token-last-seen">
                    {t.lastSeenAt ? fmtRelative(t.lastSeenAt, now) : <span className="muted">never</span>}
                  </td>
                  <td className="small" data-testid="worker-token-workers">
                    {t.workers.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      t.workers.map((w) => (
                        <div key={w.id} className="mono" title={`${w.host} · ${w.state}`}>
                          {w.name}
                        </div>
                      ))
                    )}
                  </td>
                  <td>
                    {t.revokedAt ? (
                      <span title={fmtDate(t.revokedAt)}>
                        <StateBadge state="removed" label="Revoked" />
                      </span>
                    ) : (
                      <StateBadge state="success" label="Valid" />
                    )}
                  </td>
                  <td>
                    <div className="row" style={{ justifyContent: "flex-end" }}>
                      {!t.revokedAt && (
                        <button
                          type="button"
                          className="btn btn-sm btn-danger-outline"
                          onClick={() => void onRevoke(t)}
                          data-testid={`worker-token-revoke-${t.name}`}
                          aria-label={`Revoke worker token ${t.name}`}
                        >
                          Revoke
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

/** Name and queues; once created, the token text with a copy button, shown only here. */
function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [queues, setQueues] = useState("");
  const [errors, setErrors] = useState<{ name?: string; queues?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWorkerToken | null>(null);
  const create = useCreateWorkerToken();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const list = [
      ...new Set(
        queues
          .split(",")
          .map((q) => q.trim())
          .filter(Boolean),
      ),
    ];
    const bad = list.find((q) => !QUEUE.test(q));
    if (name.trim() === "") return setErrors({ name: "Give it a name (what machine or use it is for)" });
    if (bad !== undefined) return setErrors({ queues: `"${bad}" is not a queue name: letters, digits, _ . - (1–64)` });
    setErrors({});
    create.mutate(
      { name: name.trim(), ...(list.length > 0 ? { queues: list } : {}) },
      {
        onSuccess: (t) => setCreated(t),
        onError: (err) => {
          const field = err instanceof ApiError ? err.field : undefined;
          if (field === "name" || field?.startsWith("queues")) setErrors({ [field === "name" ? "name" : "queues"]: err.message });
          else setFormError(err.message);
        },
      },
    );
  };

  if (created) return <TokenCreatedDialog token={created} onClose={onClose} />;
  return (
    <Dialog
      title="New worker token"
      onClose={onClose}
      testId="worker-token-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="worker-token-form" className="btn btn-primary" disabled={create.isPending} data-testid="worker-token-submit">
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </>
      }
    >
      <form id="worker-token-form" className="stack" style={{ gap: 14 }} onSubmit={submit} noValidate autoComplete="off">
        {formError && (
          <div className="banner banner-danger" role="alert">
            <Icon.warn /> {formError}
          </div>
        )}
        <div className="field">
          <label className="field-label" htmlFor="wt-name">
            Name
            <span className="req" aria-hidden="true">
              *
            </span>
          </label>
          <input
            id="wt-name"
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            aria-invalid={Boolean(errors.name)}
            placeholder="gpu-box-1"
            data-testid="worker-token-name"
          />
          {errors.name && (
            <span className="field-error" role="alert">
              <Icon.warn size={12} /> {errors.name}
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor="wt-queues">
            Queues
          </label>
          <input
            id="wt-queues"
            className="input mono"
            value={queues}
            onChange={(e) => setQueues(e.target.value)}
            aria-invalid={Boolean(errors.queues)}
            placeholder="gpu,default"
            data-testid="worker-token-queues"
          />
          <span className="field-help">Comma-separated: the only queues its workers may listen on. Empty: any queue.</span>
          {errors.queues && (
            <span className="field-error" role="alert">
              <Icon.warn size={12} /> {errors.queues}
            </span>
          )}
        </div>
      </form>
    </Dialog>
  );
}

function TokenCreatedDialog({ token, onClose }: { token: CreatedWorkerToken; onClose: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied(true);
      toast("Token copied to the clipboard", "success");
    } catch {
      // No clipboard permission (an http:// page not on localhost): select it for ⌘/Ctrl-C.
      field.current?.select();
      toast("Copy it from the selected field (the browser refused the clipboard)", "info");
    }
  };
  // The token goes in the environment: a flag would show in `ps` (docs/workers.md#running-a-worker).
  const command = `export BATON_WORKER_TOKEN=${token.token}\nbaton worker --server ${window.location.origin}${token.queues ? ` --queues ${token.queues.join(",")}` : ""}`;
  return (
    <Dialog
      title={
        <>
          Worker token <span className="mono">{token.name}</span> created
        </>
      }
      onClose={onClose}
      wide
      testId="worker-token-created"
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="worker-token-done">
          Done
        </button>
      }
    >
      <div className="banner" role="note">
        <Icon.warn />{" "}
        <span>
          <strong>Copy it now: it is shown only once.</strong> Baton keeps only a hash; a lost token is revoked and replaced.
        </span>
      </div>
      <div className="token-box">
        <input
          ref={field}
          className="input"
          readOnly
          value={token.token}
          onFocus={(e) => e.currentTarget.select()}
          aria-label="Worker token"
          data-testid="worker-token-text"
        />
        <button type="button" className="btn" onClick={() => void copy()} data-testid="worker-token-copy">
          {copied ? (
            <>
              <Icon.check size={12} /> Copied
            </>
          ) : (
            "Copy"
          )}
        </button>
      </div>
      <div className="field">
        <span className="field-label">Start a worker with it</span>
        <pre className="pre" data-testid="worker-token-command">
          {command}
        </pre>
        <span className="field-help">Its workers may listen on: {token.queues?.join(", ") ?? "any queue"}.</span>
      </div>
    </Dialog>
  );
}
