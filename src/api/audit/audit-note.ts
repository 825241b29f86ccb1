import type { FastifyRequest } from "fastify";
import type { AuditActor, AuditTarget } from "../../core/model/audit.js";

/**
 * What a handler adds to its route's audit entry (docs/audit.md): the target, the DAG, the values
 * before and after (only fields worth keeping, never a secret; they are scrubbed again anyway),
 * and anything else in `details`. `action` overrides the route's `config.audit` (`dag.pause` vs
 * `dag.unpause`); `actor` replaces the request's principal (login attempts, webhooks);
 * `evenOnError` records the entry whatever the status (a failed login).
 */
export interface AuditNote {
  action?: string;
  actor?: AuditActor;
  target?: AuditTarget | null;
  dagId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  details?: Record<string, unknown>;
  evenOnError?: boolean;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * The audit action of a state-changing route (`run.trigger`, `pool.update` …). Every POST,
     * PUT, PATCH and DELETE route must declare one: a route without it fails at startup.
     */
    audit?: string;
  }
  interface FastifyRequest {
    auditNote: AuditNote | null;
  }
}

/** Adds to (or replaces fields of) this request's audit entry; called by handlers, any number of times. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  request.auditNote = { ...request.auditNote, ...note, details: { ...request.auditNote?.details, ...note.details } };
}

/** A clear/mark/cancel request's outcome, for `details`: the command and whether the scheduler applied it yet. */
export function commandDetails(out: { body: { commandId: number; status: string; result: string | null } }): Record<string, unknown> {
  return { commandId: out.body.commandId, commandStatus: out.body.status, result: out.body.result };
}
