import { describe, expect, it } from "vitest";
import type { Logger } from "../core/ports/logger.js";
import { RepeatedFailureLog } from "./repeated-failure-log.js";

function recordingLogger(): Logger & { lines: [string, string | undefined][] } {
  const lines: [string, string | undefined][] = [];
  return {
    lines,
    debug: (_o, m) => lines.push(["debug", m]),
    info: (_o, m) => lines.push(["info", m]),
    warn: (_o, m) => lines.push(["warn", m]),
    error: (_o, m) => lines.push(["error", m]),
  };
}

describe("RepeatedFailureLog (issue 8, item 7: 769 identical commit errors on a full disk)", () => {
  it("logs a retried failure once, a different one again, and the recovery once", () => {
    const logger = recordingLogger();
    const log = new RepeatedFailureLog(logger, "commit");
    for (let i = 0; i < 500; i++) log.failed(new Error("database or disk is full"));
    log.failed(new Error("disk I/O error"));
    log.succeeded();
    log.succeeded();
    expect(logger.lines).toEqual([
      ["error", "commit failed; will retry (the same error again is not logged until it succeeds)"],
      ["error", "commit failed; will retry (the same error again is not logged until it succeeds)"],
      ["info", "commit succeeded after 501 failed attempt(s)"],
    ]);
    log.failed(new Error("database or disk is full"));
    expect(logger.lines).toHaveLength(4);
  });
});
