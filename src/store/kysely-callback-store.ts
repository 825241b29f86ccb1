import type { Kysely } from "kysely";
import type { NotifierDeclaration } from "../core/model/alerts.js";
import type { AlertIncident, CallbackFilter, CallbackKey, CallbackRecord, CallbackStatus, CallbackStore } from "../core/ports/callback-store.js";
import { alertIncident, getIncident, resolveIncident } from "./queries/alert-incidents.js";
import { claimCallback, finishCallback, listCallbacks, renewCallback, retakeCallback } from "./queries/callback-claims.js";
import type { Database } from "./schema/database.js";

/** Callback claims (the callback log) and alert incidents over the store's Kysely handle (`store.callbacks`). */
export class KyselyCallbackStore implements CallbackStore {
  constructor(private readonly db: Kysely<Database>) {}

  claimCallback(key: CallbackKey, run: { dagId: string; runId: string }, by: string, at: number): Promise<boolean> {
    return claimCallback(this.db, key, run, by, at);
  }

  renewCallback(key: CallbackKey, by: string, at: number): Promise<boolean> {
    return renewCallback(this.db, key, by, at);
  }

  retakeCallback(key: CallbackKey, by: string, at: number, staleBefore: number): Promise<boolean> {
    return retakeCallback(this.db, key, by, at, staleBefore);
  }

  finishCallback(key: CallbackKey, status: Exclude<CallbackStatus, "running">, message: string | null, at: number): Promise<void> {
    return finishCallback(this.db, key, status, message, at);
  }

  listCallbacks(filter: CallbackFilter): Promise<CallbackRecord[]> {
    return listCallbacks(this.db, filter);
  }

  alertIncident(dedupKey: string, dagId: string, targets: NotifierDeclaration[], at: number, repeatEveryMs: number | null): Promise<boolean> {
    return alertIncident(this.db, dedupKey, dagId, targets, at, repeatEveryMs);
  }

  resolveIncident(dedupKey: string, at: number): Promise<AlertIncident | undefined> {
    return resolveIncident(this.db, dedupKey, at);
  }

  getIncident(dedupKey: string): Promise<AlertIncident | undefined> {
    return getIncident(this.db, dedupKey);
  }
}
