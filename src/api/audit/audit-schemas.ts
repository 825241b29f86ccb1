import { anyObject, int, nullableStr, obj, str, stringEnum, type JsonSchema } from "../schemas/json-schema.js";

const nullableObject = { type: ["object", "null"], additionalProperties: true } as const;

/** One audit entry as `GET /api/v1/audit` answers it (docs/audit.md). */
export const AuditEntrySchema: JsonSchema = {
  $id: "AuditEntry",
  ...obj({
    id: int,
    at: { type: "string", format: "date-time" },
    actor: { ...str, description: "A username, `local` (local mode's anonymous admin), `cli:<os user>`, or `webhook`; for login attempts the name typed." },
    via: stringEnum(["session", "token", "local", "cli", "webhook", "login"]),
    tokenId: { ...nullableStr, description: "The API token's id when `via` is `token`." },
    action: { ...str, description: "e.g. run.trigger, run.clear, task.mark, dag.pause, pool.update, connection.create, login.failure." },
    targetType: nullableStr,
    targetId: nullableStr,
    dagId: nullableStr,
    before: { ...nullableObject, description: "Relevant values before the change; never a secret." },
    after: { ...nullableObject, description: "Relevant values after the change; never a secret." },
    details: { ...anyObject, type: ["object", "null"], description: "The request's method, path, status and client address, and more per action." },
  }),
};
