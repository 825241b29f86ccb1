import type { CommandResult } from "../../api/types";

/** Toast text for a CommandResult: applied now, or recorded and waiting for the scheduler. */
export function commandMessage(what: string, res: CommandResult): string {
  return res.status === "applied" ? `${what} — done.` : `${what} — requested; it is applied when the scheduler picks it up.`;
}
