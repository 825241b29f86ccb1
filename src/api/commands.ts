import type { CommandKind, CommandPayloads } from "../core/model/records.js";
import type { RouteDeps } from "./api-deps.js";

export const COMMAND_WAIT_MS = 5_000;
export const COMMAND_POLL_MS = 25;

export interface CommandOutcome {
  status: 200 | 202;
  body: { commandId: number; status: "applied" | "pending"; result: string | null };
}

/**
 * Records a change request for the scheduler (the one writer of run state), nudges it, and waits
 * up to `commandWaitMs` (default {@link COMMAND_WAIT_MS}) for it to be applied: 200 when applied, 202 while still pending.
 */
export async function submitCommand<K extends CommandKind>(
  deps: Pick<RouteDeps, "inbox" | "wake" | "now" | "commandWaitMs">,
  kind: K,
  payload: CommandPayloads[K],
  requestedBy: string | null,
): Promise<CommandOutcome> {
  const command = await deps.inbox.enqueueCommand(kind, payload, requestedBy, deps.now());
  deps.wake?.();
  const deadline = performance.now() + deps.commandWaitMs;
  for (;;) {
    const current = await deps.inbox.getCommand(command.id);
    if (current && current.appliedAt !== null) {
      return { status: 200, body: { commandId: command.id, status: "applied", result: current.result } };
    }
    if (performance.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, COMMAND_POLL_MS));
  }
  return { status: 202, body: { commandId: command.id, status: "pending", result: null } };
}
