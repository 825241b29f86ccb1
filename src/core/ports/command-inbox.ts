import type { CommandKind, CommandPayloads, CommandRecord, EpochMs } from "../model/records.js";

/**
 * Requests to change runs and task instances. The API and CLI enqueue; the scheduler takes
 * them in order and applies them to the runs it holds (docs/adr/0004).
 */
export interface CommandInbox {
  enqueueCommand<K extends CommandKind>(kind: K, payload: CommandPayloads[K], requestedBy: string | null, at: EpochMs): Promise<CommandRecord<K>>;
  /** Pending commands (appliedAt null), oldest first. */
  listPendingCommands(limit: number): Promise<CommandRecord[]>;
  completeCommand(id: number, result: string, at: EpochMs): Promise<void>;
  getCommand(id: number): Promise<CommandRecord | undefined>;
}
