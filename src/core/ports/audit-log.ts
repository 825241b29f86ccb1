import type { EpochMs } from "../model/records.js";
import type { AuditEntry, AuditFilter, NewAuditEntry } from "../model/audit.js";

/** The append-only audit trail (docs/audit.md): records are added and pruned by age, never changed. */
export interface AuditLog {
  recordAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest (highest id) first. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Deletes entries older than `before`; returns how many. */
  pruneAudit(before: EpochMs): Promise<number>;
}
