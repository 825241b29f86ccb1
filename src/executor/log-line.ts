export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

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
