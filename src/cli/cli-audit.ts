import { userInfo } from "node:os";
import { scrubSecrets } from "../core/audit/scrub-secrets.js";
import type { AuditTarget } from "../core/model/audit.js";
import type { AuditLog } from "../core/ports/audit-log.js";

/** Who a CLI command acts as in the audit trail: `cli:<os user>` (docs/audit.md). */
export function cliActorName(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.USERNAME;
  }
  return `cli:${name || "unknown"}`;
}

/**
 * Records a change the CLI made directly in the store. Values are scrubbed of secrets; the
 * command line is never recorded (it may hold a password).
 */
export async function recordCliAudit(
  audit: AuditLog,
  action: string,
  what: {
    command: string;
    target: AuditTarget;
    dagId?: string | null;
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await audit.recordAudit({
    at: Date.now(),
    actor: { name: cliActorName(), via: "cli", tokenId: null },
    action,
    target: what.target,
    dagId: what.dagId ?? null,
    before: what.before ? scrubSecrets(what.before) : null,
    after: what.after ? scrubSecrets(what.after) : null,
    details: scrubSecrets({ ...what.details, command: what.command }),
  });
}
