import type { Kysely } from "kysely";
import type { NotifierDeclaration } from "../../core/model/alerts.js";
import type { AlertIncident } from "../../core/ports/callback-store.js";
import type { AlertIncidentsTable } from "../schema/callback-tables.js";
import type { Database } from "../schema/database.js";

export async function getIncident(db: Kysely<Database>, dedupKey: string): Promise<AlertIncident | undefined> {
  const row = await db.selectFrom("alert_incidents").selectAll().where("dedup_key", "=", dedupKey).executeTakeFirst();
  return row === undefined ? undefined : toIncident(row);
}

/**
 * Opens, re-opens or repeats the incident of `dedupKey` (see CallbackStore.alertIncident). Every
 * write is conditional on what was read (optimistic): of several schedulers racing, one wins the
 * alert; a loser reads again and decides on the new row.
 */
export async function alertIncident(
  db: Kysely<Database>,
  dedupKey: string,
  dagId: string,
  targets: NotifierDeclaration[],
  at: number,
  repeatEveryMs: number | null,
): Promise<boolean> {
  for (let round = 0; round < 5; round++) {
    const row = await db.selectFrom("alert_incidents").selectAll().where("dedup_key", "=", dedupKey).executeTakeFirst();
    if (row === undefined) {
      const inserted = await db
        .insertInto("alert_incidents")
        .values({ dedup_key: dedupKey, dag_id: dagId, opened_at: at, last_alert_at: at, alerts: 1, targets: JSON.stringify(targets), resolved_at: null })
        .onConflict((oc) => oc.column("dedup_key").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
      continue;
    }
    const lastAlertAt = Number(row.last_alert_at);
    const merged = JSON.stringify(mergeTargets(JSON.parse(row.targets) as NotifierDeclaration[], targets));
    const reopen = row.resolved_at !== null;
    const repeat = !reopen && repeatEveryMs !== null && at - lastAlertAt >= repeatEveryMs;
    const set = reopen
      ? { opened_at: at, last_alert_at: at, alerts: 1, targets: JSON.stringify(targets), resolved_at: null }
      : repeat
        ? { last_alert_at: at, alerts: Number(row.alerts) + 1, targets: merged }
        : { targets: merged };
    let q = db.updateTable("alert_incidents").set(set).where("dedup_key", "=", dedupKey).where("last_alert_at", "=", row.last_alert_at);
    q = reopen ? q.where("resolved_at", "=", row.resolved_at) : q.where("resolved_at", "is", null);
    const updated = await q.executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return reopen || repeat;
  }
  return false;
}

export async function resolveIncident(db: Kysely<Database>, dedupKey: string, at: number): Promise<AlertIncident | undefined> {
  const row = await db.selectFrom("alert_incidents").selectAll().where("dedup_key", "=", dedupKey).where("resolved_at", "is", null).executeTakeFirst();
  if (row === undefined) return undefined;
  const updated = await db
    .updateTable("alert_incidents")
    .set({ resolved_at: at })
    .where("dedup_key", "=", dedupKey)
    .where("resolved_at", "is", null)
    .where("last_alert_at", "=", row.last_alert_at)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return undefined;
  return toIncident({ ...row, resolved_at: at });
}

function mergeTargets(a: NotifierDeclaration[], b: NotifierDeclaration[]): NotifierDeclaration[] {
  const seen = new Set(a.map((t) => JSON.stringify(t)));
  return [...a, ...b.filter((t) => !seen.has(JSON.stringify(t)))];
}

function toIncident(r: AlertIncidentsTable): AlertIncident {
  return {
    dedupKey: r.dedup_key,
    dagId: r.dag_id,
    openedAt: Number(r.opened_at),
    lastAlertAt: Number(r.last_alert_at),
    alerts: Number(r.alerts),
    targets: JSON.parse(r.targets) as NotifierDeclaration[],
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  };
}
