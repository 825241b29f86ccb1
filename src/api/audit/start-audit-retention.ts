import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { AuditRetention } from "./audit-retention.js";

/** Prunes the audit trail while `app` runs (deps.auditRetention); stops when it closes. */
export function startAuditRetention(app: FastifyInstance, deps: Pick<RouteDeps, "audit" | "auditRetention">): AuditRetention | null {
  if (!deps.auditRetention) return null;
  const { days, clock } = deps.auditRetention;
  const retention = new AuditRetention(deps.audit, clock, days, (err) => app.log.error({ err }, "could not prune the audit trail"));
  app.addHook("onReady", async () => retention.start());
  app.addHook("onClose", async () => retention.stop());
  return retention;
}
