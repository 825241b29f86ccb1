/**
 * A schedule as people say it, beside the cron the API returns (`DagSummary.schedule`):
 * "0 6 * * *" → "At 06:00, every day"; presets (@daily…) as their cron; the DAG's time zone
 * named when it is not UTC. null when there is nothing to add (manual, `@once`, datasets…).
 */
import { toString as describeCron } from "cronstrue";

const PRESETS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export function scheduleText(schedule: string | null, timezone?: string | null): string | null {
  if (!schedule) return null;
  const zone = timezone && timezone !== "UTC" && timezone !== "Etc/UTC" ? ` (${timezone})` : "";
  const every = /^every (\d+(?:\.\d+)?)s$/.exec(schedule);
  if (every) return `Every ${fmtSeconds(Number(every[1]))}`;
  // "<cron> (at tick)": a trigger-mode cron; the text describes the cron alone.
  const expr = schedule.replace(/ \(at tick\)$/, "").trim();
  const cron = PRESETS[expr.toLowerCase()] ?? expr;
  if (cron.startsWith("@") || cron.startsWith("datasets:")) return null;
  try {
    const text = describeCron(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
    // "At 06:00" alone reads as once; say that it is every day, as the verbose form does.
    return `${/^At [^,]*$/.test(text) ? `${text}, every day` : text}${zone}`;
  } catch {
    return null;
  }
}

function fmtSeconds(s: number): string {
  if (s % 86_400 === 0) return plural(s / 86_400, "day");
  if (s % 3_600 === 0) return plural(s / 3_600, "hour");
  if (s % 60 === 0) return plural(s / 60, "minute");
  return plural(s, "second");
}

const plural = (n: number, unit: string) => (n === 1 ? unit : `${n} ${unit}s`);
