import { auditEntryView } from "../../api/audit/audit-routes.js";
import { InvalidInputError } from "../../core/errors.js";
import { parseIsoDate } from "../../core/model/iso-date.js";
import { printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface AuditListOptions extends CommonOptions {
  actor?: string;
  action?: string;
  dag?: string;
  target?: string;
  since?: string;
  until?: string;
  limit?: string;
}

function dateOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseIsoDate(text, "UTC");
  } catch (error) {
    throw new InvalidInputError(`${flag}: ${(error as Error).message}`);
  }
}

/** `baton audit list`: audit entries, newest first (docs/audit.md). Dates without an offset are UTC. */
export async function auditList(opts: AuditListOptions): Promise<number> {
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new InvalidInputError("--limit must be a whole number from 1 to 100000");
  if (opts.action !== undefined && opts.action.includes("*") && !/^[^*]+\.\*$/.test(opts.action)) {
    throw new InvalidInputError(`--action "${opts.action}": use an exact action or a prefix ending in ".*" such as "run.*"`);
  }
  const since = dateOption(opts.since, "--since");
  const until = dateOption(opts.until, "--until");
  return withRuntime(opts, async (rt) => {
    const entries = await rt.store.listAudit({
      ...(opts.actor === undefined ? {} : { actor: opts.actor }),
      ...(opts.action === undefined ? {} : { action: opts.action }),
      ...(opts.dag === undefined ? {} : { dagId: opts.dag }),
      ...(opts.target === undefined ? {} : { targetId: opts.target }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      limit,
    });
    const views = entries.map(auditEntryView);
    if (opts.json) printJson(views);
    else {
      printTable(
        views.map((e) => ({
          at: e.at,
          actor: e.actor,
          action: e.action,
          target: e.targetType === null ? "" : `${e.targetType} ${e.targetId}`,
          dagId: e.dagId ?? "",
          change: changeText(e.before, e.after),
        })),
        ["at", "actor", "action", "target", "dagId", "change"],
      );
    }
    return 0;
  });
}

/** `state: failed → success` for the fields that changed (or were set). */
function changeText(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const show = (v: unknown) => (v === undefined ? "–" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) => (before && after ? `${k}: ${show(before[k])} → ${show(after[k])}` : `${k}: ${show((after ?? before)?.[k])}`))
    .join("; ");
}
