import { Cron } from "croner";
import { InvalidInputError } from "../errors.js";
import type { ScheduleSpec } from "../model/dag-spec.js";
import { parseDuration } from "../model/duration.js";

export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@quarterly": "0 0 1 */3 *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

const VALID_FORMS =
  'a cron expression ("0 6 * * 1-5"), a preset (@hourly @daily @weekly @monthly @quarterly @yearly @once), ' +
  'a fixed interval ("15m", "1h", "1d"), or null for manual runs only';

/**
 * Turns what a user writes as `schedule` into a ScheduleSpec. Presets become cron expressions;
 * cron expressions are checked by croner. Throws InvalidInputError naming the valid forms.
 */
export function parseSchedule(input: string | null | undefined, mode: "interval" | "trigger" = "interval"): ScheduleSpec {
  if (input === null || input === undefined || input === "" || input === "@none") return { kind: "none" };
  const text = input.trim();
  if (text === "@once") return { kind: "once" };
  const preset = SCHEDULE_PRESETS[text];
  if (preset) return { kind: "cron", expression: preset, mode };
  if (text.startsWith("@")) throw new InvalidInputError(`unknown schedule preset "${text}"; use ${VALID_FORMS}`);
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)/.test(text) && !text.includes(" ")) {
    const everyMs = parseDuration(text, "schedule");
    if (everyMs < 1000) throw new InvalidInputError(`schedule interval "${text}" is shorter than 1s`);
    return { kind: "every", everyMs };
  }
  try {
    // Validate only; the timetable builds its own Cron with the DAG's time zone.
    new Cron(text, { paused: true });
  } catch (e) {
    throw new InvalidInputError(`invalid cron schedule "${text}": ${(e as Error).message}; use ${VALID_FORMS}`, { cause: e });
  }
  return { kind: "cron", expression: text, mode };
}
