export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";
/** The output stream of a shell command a log line came from: `OUT` stdout, `ERR` stderr. */
export type OutputStream = "OUT" | "ERR";

/** `2026-11-21T08:00:00.123Z INFO msg {"k":1}` plus a newline: the one format of attempt logs. */
export function formatLogLine(level: LogLevel, msg: string, data?: Record<string, unknown>): string {
  let suffix = "";
  if (data !== undefined) {
    try {
      suffix = ` ${JSON.stringify(data)}`;
    } catch {
      suffix = " [data not JSON-serializable]";
    }
  }
  return `${new Date().toISOString()} ${level} ${msg}${suffix}\n`;
}

/**
 * Whole lines of a shell command's output (`text` ends with a newline), each prefixed with the
 * time now and its stream: `2026-11-21T08:00:00.123Z OUT text`, the format of {@link formatLogLine}.
 */
export function prefixLines(text: string, stream: OutputStream): string {
  const prefix = `${new Date().toISOString()} ${stream} `;
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => `${prefix}${line}\n`)
    .join("");
}
