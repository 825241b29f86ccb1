import { describe, expect, it } from "vitest";
import { effectivePolicy, routedNotifiers } from "../model/alert-policy.js";
import { parseAlertRouting } from "./alert-routing.js";

describe("BATON_ALERT_ROUTES", () => {
  const text = JSON.stringify({
    policy: { afterConsecutiveFailures: 2, repeatEvery: "4h" },
    routes: [
      { match: { tags: ["finance"] }, notify: [{ notifier: "slack", connection: "finance_alerts" }] },
      { match: { severities: ["critical"] }, notify: [{ notifier: "pagerduty", connection: "oncall" }] },
      {
        match: { owners: ["data-eng"], dagIds: ["sales_etl"] },
        notify: [
          { notifier: "slack", connection: "finance_alerts" },
          { notifier: "email", connection: "smtp", options: { to: "de@example.com" } },
        ],
      },
    ],
  });

  it("reads the policy defaults and routes; an alert goes to every matching route, each notifier once", () => {
    const routing = parseAlertRouting(text);
    expect(routing.policy).toEqual({ afterConsecutiveFailures: 2, repeatEveryMs: 4 * 3_600_000 });
    expect(effectivePolicy({ severity: "critical" }, routing)).toEqual({
      afterConsecutiveFailures: 2,
      resolveOnRecovery: true,
      repeatEveryMs: 14_400_000,
      severity: "critical",
      notify: [],
    });
    const sales = { dagId: "sales_etl", tags: ["finance"], owner: "data-eng" };
    expect(routedNotifiers(routing, sales, "error").map((n) => n.connection)).toEqual(["finance_alerts", "smtp"]);
    expect(routedNotifiers(routing, sales, "critical").map((n) => n.connection)).toEqual(["finance_alerts", "oncall", "smtp"]);
    expect(routedNotifiers(routing, { dagId: "other", tags: [], owner: null }, "error")).toEqual([]);
  });

  it("rejects bad JSON and bad keys, naming them", () => {
    expect(() => parseAlertRouting("{oops")).toThrow(/BATON_ALERT_ROUTES is not valid JSON/);
    expect(() => parseAlertRouting('{"route": []}')).toThrow(/BATON_ALERT_ROUTES: unknown key "route"; valid keys: policy, routes/);
    expect(() => parseAlertRouting('{"routes": [{"notify": [{"notifier": "fax", "connection": "x"}]}]}')).toThrow(
      /BATON_ALERT_ROUTES.routes\[0\].notify\[0\]: notifier must be one of: slack/,
    );
    expect(() => parseAlertRouting('{"routes": [{"match": {"severities": ["urgent"]}, "notify": []}]}')).toThrow(
      /severities\[0\] must be one of critical, error, warning, info/,
    );
    expect(() => parseAlertRouting('{"policy": {"afterConsecutiveFailures": 0}}')).toThrow(/afterConsecutiveFailures must be an integer >= 1/);
  });
});
