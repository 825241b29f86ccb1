import type { EpochMs } from "./records.js";

/**
 * How the actor of an audit entry proved who it was: a login session, an API token, the
 * anonymous admin of local mode, the `baton` CLI on this machine, a signed webhook, or a login
 * attempt (`login.success`, `login.failure`: the name is the one typed, unverified on failure).
 */
export type AuditVia = "session" | "token" | "local" | "cli" | "webhook" | "login";

/** Who did it: a username, `local`, `cli:<os user>`, or `webhook`. */
export interface AuditActor {
  name: string;
  via: AuditVia;
  /** The API token's id when `via` is `token`. */
  tokenId: string | null;
}

/** What an audited change touched (`run` "etl/manual__…", `pool` "default_pool" …). */
export interface AuditTarget {
  type: string;
  id: string;
}

/** One audit record as written: values already free of secrets (core/audit/scrub-secrets.ts). */
export interface NewAuditEntry {
  at: EpochMs;
  actor: AuditActor;
  /** Dotted action name: `run.trigger`, `dag.pause`, `connection.update`, `login.failure` … */
  action: string;
  target: AuditTarget | null;
  /** The DAG concerned, when there is one (filters by DAG). */
  dagId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Anything else worth keeping: client address, command id, the request's method and path. */
  details: Record<string, unknown> | null;
}

export interface AuditEntry extends NewAuditEntry {
  /** Increases with every record; the page cursor. */
  id: number;
}

/** Audit entries matching every given field, newest first. */
export interface AuditFilter {
  /** Exact actor name. */
  actor?: string;
  /** Exact action, or a prefix when it ends with `.*` (`run.*`). */
  action?: string;
  dagId?: string;
  /** Exact target id. */
  targetId?: string;
  /** At or after (epoch ms). */
  since?: EpochMs;
  /** Before (epoch ms, exclusive). */
  until?: EpochMs;
  /** Only entries with a smaller id (the next page). */
  beforeId?: number;
  limit: number;
}
