/**
 * An attempt log split into lines, each with its level and timestamp when the line says them.
 *
 * Lines written by `ctx.log` (and the executor's own notes) read
 * `2026-11-21T08:00:00.123Z INFO msg {"k":1}` (src/executor/log-line.ts). A line that is a JSON
 * object with a `level` (pino's numbers or names) and `time` is structured too. A shell task's
 * stdout and stderr lines read `2026-11-21T08:00:00.123Z OUT text` / `… ERR text`: level
 * `OUTPUT`, with their timestamp. Everything else — console output, continuation lines — is
 * `OUTPUT` with no timestamp: the executor stores that output as it comes, without one.
 */

export const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "OUTPUT"] as const;
export type LineLevel = (typeof LEVELS)[number];

export interface LogLine {
  /** 1-based line number in the whole log (what `#L42` points at). */
  n: number;
  text: string;
  level: LineLevel;
  ts: string | null;
  /** Characters of `text` that are the timestamp-and-level prefix (styled apart); 0 if none. */
  prefix: number;
}

const PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (DEBUG|INFO|WARN|ERROR|OUT|ERR) /;
const PINO: Record<number, LineLevel> = { 10: "DEBUG", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "ERROR" };
const NAMED: Record<string, LineLevel> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARN",
  warning: "WARN",
  error: "ERROR",
  fatal: "ERROR",
  critical: "ERROR",
};

export function parseLogLines(text: string): LogLine[] {
  if (text === "") return [];
  const raw = text.split("\n");
  if (raw[raw.length - 1] === "") raw.pop();
  return raw.map((t, i) => parseLine(t.endsWith("\r") ? t.slice(0, -1) : t, i + 1));
}

function parseLine(text: string, n: number): LogLine {
  const m = PREFIX.exec(text);
  if (m) return { n, text, level: m[2] === "OUT" || m[2] === "ERR" ? "OUTPUT" : (m[2] as LineLevel), ts: m[1] ?? null, prefix: m[0].length };
  if (text.startsWith("{") && text.endsWith("}")) {
    const structured = parseJsonLine(text);
    if (structured) return { n, text, ...structured, prefix: 0 };
  }
  return { n, text, level: "OUTPUT", ts: null, prefix: 0 };
}

function parseJsonLine(text: string): { level: LineLevel; ts: string | null } | null {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== "object" || o === null) return null;
  const rec = o as Record<string, unknown>;
  const lv = rec.level;
  const level = typeof lv === "number" ? PINO[lv] : typeof lv === "string" ? NAMED[lv.toLowerCase()] : undefined;
  if (!level) return null;
  const t = rec.time ?? rec.timestamp ?? rec.ts;
  const ts = typeof t === "number" ? new Date(t).toISOString() : typeof t === "string" ? t : null;
  return { level, ts };
}

/** Where `query` occurs (case-insensitive) in `text`: [start, end) pairs. */
export function findMatches(text: string, query: string): [number, number][] {
  if (query === "") return [];
  const hay = text.toLowerCase();
  const needle = query.toLowerCase();
  const out: [number, number][] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) out.push([i, i + needle.length]);
  return out;
}

/** A file name for one try's log: `dag_run_task[_copy]_tryN.log`, safe on every file system. */
export function logFileName(dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number): string {
  const parts = [dagId, runId, taskId, ...(mapIndex >= 0 ? [String(mapIndex)] : []), `try${tryNumber}`];
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9._-]+/g, "-")).join("_")}.log`;
}
