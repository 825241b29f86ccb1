import { describe, expect, it } from "vitest";
import { loadNotificationConfig } from "./notification-config.js";

describe("BATON_NOTIFY_* (notification outbox timing)", () => {
  it("defaults: 8 attempts, 30 s doubling to 1 h, a 5 min repeat window, 10 s requests and polls", () => {
    expect(loadNotificationConfig({})).toEqual({
      maxAttempts: 8,
      firstRetryMs: 30_000,
      maxRetryMs: 3_600_000,
      repeatWindowMs: 300_000,
      requestTimeoutMs: 10_000,
      pollMs: 10_000,
    });
  });

  it("reads each variable; 0 turns the repeat window off", () => {
    expect(
      loadNotificationConfig({
        BATON_NOTIFY_MAX_ATTEMPTS: "3",
        BATON_NOTIFY_RETRY_MS: "500",
        BATON_NOTIFY_MAX_RETRY_MS: "2000",
        BATON_NOTIFY_REPEAT_WINDOW_MS: "0",
        BATON_NOTIFY_TIMEOUT_MS: "2500",
        BATON_NOTIFY_POLL_MS: "250",
        BATON_NOTIFY_OTHER: "x",
      }),
    ).toEqual({ maxAttempts: 3, firstRetryMs: 500, maxRetryMs: 2_000, repeatWindowMs: 0, requestTimeoutMs: 2_500, pollMs: 250 });
  });

  it("refuses a bad value naming the variable", () => {
    expect(() => loadNotificationConfig({ BATON_NOTIFY_MAX_ATTEMPTS: "0" })).toThrow('BATON_NOTIFY_MAX_ATTEMPTS must be a whole number ≥ 1, got "0"');
    expect(() => loadNotificationConfig({ BATON_NOTIFY_RETRY_MS: "1.5s" })).toThrow(/BATON_NOTIFY_RETRY_MS must be a whole number/);
    expect(() => loadNotificationConfig({ BATON_NOTIFY_RETRY_MS: "60000", BATON_NOTIFY_MAX_RETRY_MS: "1000" })).toThrow(
      /BATON_NOTIFY_MAX_RETRY_MS \(1000\) must be at least BATON_NOTIFY_RETRY_MS \(60000\)/,
    );
  });
});
