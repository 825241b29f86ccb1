import type { FastifyInstance } from "fastify";
import { InvalidInputError } from "../../core/errors.js";
import type { AuditEntry } from "../../core/model/audit.js";
import type { AuditLog } from "../../core/ports/audit-log.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { parseDateField } from "../date-field.js";
import { arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";
import { AuditEntrySchema } from "./audit-schemas.js";

interface AuditQuery {
  actor?: string;
  action?: string;
  dagId?: string;
  target?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

const text = (description: string) => ({ type: "string", minLength: 1, maxLength: 250, description });
const dateText = (description: string) => ({
  type: "string",
  minLength: 1,
  maxLength: 40,
  description: `${description}: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z, ±HH:MM or no offset (UTC).`,
});

export function auditEntryView(e: AuditEntry) {
  return {
    id: e.id,
    at: iso(e.at),
    actor: e.actor.name,
    via: e.actor.via,
    tokenId: e.actor.tokenId,
    action: e.action,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id ?? null,
    dagId: e.dagId,
    before: e.before,
    after: e.after,
    details: e.details,
  };
}

/**
 * `GET /api/v1/audit`: the audit trail, newest first, admin only (docs/audit.md). There is no
 * route that changes or deletes an entry: PUT, PATCH and DELETE on audit paths answer 404.
 */
export async function auditRoutes(app: FastifyInstance, deps: { audit: AuditLog }): Promise<void> {
  const { audit } = deps;
  app.addSchema(AuditEntrySchema);
  app.get<{ Querystring: AuditQuery }>(
    "/api/v1/audit",
    {
      config: { role: "admin" },
      schema: {
        tags: ["audit"],
        summary: "Audit entries (who changed what, when), newest first",
        querystring: obj(
          {
            actor: text("Exact actor: a username, `local`, `cli:<os user>` or `webhook`."),
            action: text("Exact action (`run.trigger`), or a prefix ending in `.*` (`run.*`)."),
            dagId: text("Entries about this DAG."),
            target: text("Exact target id (a run id, pool name, connection id, username …)."),
            since: dateText("At or after"),
            until: dateText("Before"),
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: { type: "string", maxLength: 100, description: "The previous page's nextCursor." },
          },
          ["actor", "action", "dagId", "target", "since", "until", "limit", "cursor"],
        ),
        response: { 200: obj({ entries: arrayOf(ref("AuditEntry")), nextCursor: { type: ["string", "null"] } }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const since = q.since === undefined ? undefined : parseDateField("since", q.since, "UTC");
      const until = q.until === undefined ? undefined : parseDateField("until", q.until, "UTC");
      if (since !== undefined && until !== undefined && until < since) throw new InvalidInputError(`until: ${q.until} is before since (${q.since})`);
      if (q.action !== undefined && q.action.includes("*") && !/^[^*]+\.\*$/.test(q.action)) {
        throw new InvalidInputError(`action: "${q.action}" — use an exact action or a prefix ending in ".*" such as "run.*"`);
      }
      const limit = q.limit ?? 50;
      const beforeId = decodeCursor(q.cursor);
      const rows = await audit.listAudit({
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.dagId === undefined ? {} : { dagId: q.dagId }),
        ...(q.target === undefined ? {} : { targetId: q.target }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: limit + 1,
      });
      const entries = rows.slice(0, limit);
      const last = entries.at(-1);
      return { entries: entries.map(auditEntryView), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    },
  );
}
