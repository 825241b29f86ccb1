import { describe, expect, it } from "vitest";
import { checkNotifierDeclaration } from "../core/alerts/check-notifier-declaration.js";
import * as sdk from "../sdk/index.js";
import { email, jira, opsgenie, pagerduty, slack, teams, webhook } from "./index.js";

describe("notifier declarations (baton/notifiers)", () => {
  it("each returns plain JSON data: kind, connection, text and options", () => {
    const all = [
      slack({ connection: "slack_alerts", text: "{{ dagId }} failed: {{ error }}", channel: "#data" }),
      teams({ connection: "teams", title: "{{ title }}" }),
      pagerduty({ connection: "pd", severity: "critical" }),
      opsgenie({ connection: "og", priority: "P1", responders: [{ type: "team", name: "data" }] }),
      email({ connection: "mail", to: ["oncall@example.com"], subject: "[Baton] {{ dagId }}" }),
      webhook({ connection: "hook" }),
      jira({ connection: "jira", project: "OPS", issueType: "Incident" }),
    ];
    expect(all).toEqual([
      { notifier: "slack", connection: "slack_alerts", text: "{{ dagId }} failed: {{ error }}", options: { channel: "#data" } },
      { notifier: "teams", connection: "teams", options: { title: "{{ title }}" } },
      { notifier: "pagerduty", connection: "pd", options: { severity: "critical" } },
      { notifier: "opsgenie", connection: "og", options: { priority: "P1", responders: [{ type: "team", name: "data" }] } },
      { notifier: "email", connection: "mail", options: { to: ["oncall@example.com"], subject: "[Baton] {{ dagId }}" } },
      { notifier: "webhook", connection: "hook" },
      { notifier: "jira", connection: "jira", options: { project: "OPS", issueType: "Incident" } },
    ]);
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
    for (const d of all) expect(checkNotifierDeclaration(d, "spec")).toEqual(d);
  });

  it("are re-exported by the main SDK entry", () => {
    expect(sdk.slack).toBe(slack);
    expect(sdk.jira).toBe(jira);
  });

  it("refuse bad input when the DAG file loads, naming the fault", () => {
    expect(() => slack({ connection: "" })).toThrow(/slack\(\) \(slack\): connection must be a connection id/);
    expect(() => slack({ connection: "s", text: "{{ dag_id }}" })).toThrow(/text template variable "dag_id" is undefined.*available: .*dagId/);
    expect(() => pagerduty({ connection: "pd", severity: "fatal" as never })).toThrow(/severity must be one of: critical, error, warning, info/);
    expect(() => email({ connection: "mail" } as never)).toThrow(/email\(\) \(email\): to is required/);
    expect(() => email({ connection: "mail", to: [] })).toThrow(/to must be an address or a non-empty list/);
    expect(() => jira({ connection: "jira" } as never)).toThrow(/project is required/);
    expect(() => slack({ connection: "s", colour: "red" } as never)).toThrow(/unknown option "colour"; allowed: channel, username, iconEmoji/);
    expect(() => checkNotifierDeclaration({ notifier: "sms", connection: "x" }, "onFailure[0]")).toThrow(
      /onFailure\[0\]: notifier must be one of: slack, teams, pagerduty, opsgenie, email, webhook, jira/,
    );
  });
});
