import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { scrubSecrets } from "../../core/audit/scrub-secrets.js";
import { BatonError } from "../../core/errors.js";
import type { NewAuditEntry } from "../../core/model/audit.js";
import type { AuditLog } from "../../core/ports/audit-log.js";
import { actorOf } from "./audit-actor.js";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function methodsOf(route: RouteOptions): string[] {
  return (Array.isArray(route.method) ? route.method : [route.method]).map((m) => String(m).toUpperCase());
}

/** A route's audit action; a state-changing route without `config.audit` is recorded as `http.<method>`. */
export const ACTION_PATTERN = /^[a-z][a-z_]*(\.[a-z_]+)*$/;

/** onRoute: a misspelt `config.audit` fails at startup. */
export function checkRouteAudit(route: RouteOptions): void {
  const action: unknown = route.config?.audit;
  if (action === undefined) return;
  if (typeof action !== "string" || !ACTION_PATTERN.test(action)) {
    throw new BatonError(
      `Route ${methodsOf(route).join(",")} ${route.url}: config.audit must be a dotted action such as "pool.update" (docs/audit.md); got ${JSON.stringify(action)}`,
    );
  }
}

/** The entry for a finished request, or null when nothing is to be recorded. */
export function auditEntryOf(request: FastifyRequest, statusCode: number, at: number): NewAuditEntry | null {
  if (request.is404 || !MUTATING.has(request.method)) return null;
  // No state-changing route goes unrecorded: one that forgot config.audit gets a generic action
  // (and fails the test that walks the OpenAPI document, src/api/audit/audit-coverage.test.ts).
  const action = request.routeOptions.config.audit ?? `http.${request.method.toLowerCase()}`;
  const note = request.auditNote;
  if (statusCode >= 400 && note?.evenOnError !== true) return null;
  const path = request.url.split("?")[0] ?? request.url;
  return {
    at,
    actor: note?.actor ?? actorOf(request.principal),
    action: note?.action ?? action,
    target: note?.target ?? null,
    dagId: note?.dagId ?? null,
    before: note?.before ? scrubSecrets(note.before) : null,
    after: note?.after ? scrubSecrets(note.after) : null,
    details: scrubSecrets({ ...note?.details, method: request.method, path, status: statusCode, address: request.ip }),
  };
}

/**
 * Records an audit entry for every state-changing request (POST, PUT, PATCH, DELETE) that succeeded (and for those whose
 * handler asked, e.g. failed logins), before the answer leaves: a client that saw 2xx can find
 * the entry. A failed write is logged as an error and does not turn the change into a 500 (it
 * has happened; a retry would repeat it).
 */
export function registerAuditHooks(app: FastifyInstance, audit: AuditLog, now: () => number): void {
  app.decorateRequest("auditNote", null);
  app.addHook("onRoute", checkRouteAudit);
  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const entry = auditEntryOf(request, reply.statusCode, now());
    if (entry === null) return payload;
    try {
      await audit.recordAudit(entry);
    } catch (err) {
      request.log.error({ err, action: entry.action, actor: entry.actor.name }, "could not write the audit entry");
    }
    return payload;
  });
}
