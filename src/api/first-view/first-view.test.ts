import { describe, expect, it } from "vitest";
import { firstViewHtml } from "./first-view.js";

// The first view's markup (docs/ui.md, "First view"); test/browser/first-view.test.ts checks it in Chromium against the UI's own render.

const ME = { username: "ada", role: "user", authRequired: false };
const HOSTILE = `x"><script>alert(1)</script><img src=x onerror=alert(2)>`;

function dagData(taskIds: string[], extra: Record<string, unknown> = {}) {
  const at = "2026-12-05T06:00:00.000Z";
  return {
    "/auth/me": ME,
    "/dags/d": {
      dagId: "d",
      description: HOSTILE,
      owner: HOSTILE,
      tags: [HOSTILE],
      schedule: "@daily",
      timezone: "UTC",
      paused: false,
      taskCount: taskIds.length,
      nextRunAfter: null,
      ...extra,
    },
    "/dags/d/grid?limit=25": {
      tasks: taskIds.map((taskId) => ({ taskId, kind: "function", upstream: [] })),
      runs: [
        {
          runId: HOSTILE,
          runType: "scheduled",
          state: "failed",
          logicalDate: at,
          startedAt: at,
          endedAt: at,
          note: HOSTILE,
          tasks: taskIds.map(() => ({ state: "failed", tryNumber: 2 })),
        },
      ],
      nextCursor: null,
    },
  };
}

describe("first view", () => {
  it("writes a DAG's grid with every value escaped, and no style attribute or script", () => {
    const html = firstViewHtml("/dags/d/grid", "", dagData(["a", "b"]), { acceptLanguage: "en-US", cookie: "baton_tz=Asia%2FKolkata" });
    expect(html.startsWith('<div id="first-view" inert>')).toBe(true);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/ style=/);
    expect(html).toContain('data-testid="grid-cell-x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;-a"');
    expect(html).toContain('data-state="failed" data-try="2"');
    // 06:00 UTC in Kolkata (the baton_tz cookie) is 11:30.
    expect(html).toContain('<span class="run-time">11:30</span>');
    expect(firstViewHtml("/dags/d", "", dagData(["a"]), {})).toContain("(logical; manual runs: start, UTC)");
  });

  it("writes nothing where the UI would draw something else first, or without a signed-in answer", () => {
    expect(firstViewHtml("/dags/d/grid", "?task=a", dagData(["a"]), {})).toBe("");
    expect(firstViewHtml("/dags/d/grid", "", dagData(["load_a", "load_b"]), {})).toBe(""); // a task group
    expect(firstViewHtml("/dags/d/grid", "", dagData(["a"], { importError: { file: "f.ts", line: 1, column: 1, message: "m", at: null } }), {})).toBe("");
    expect(firstViewHtml("/dags/d/runs", "", dagData(["a"]), {})).toBe("");
    expect(firstViewHtml("/dags/d/grid", "", dagData([]), {})).toBe(""); // no tasks: the UI's empty state
    const { "/auth/me": _me, ...anonymous } = dagData(["a"]);
    expect(firstViewHtml("/dags/d/grid", "", anonymous, {})).toBe("");
    expect(firstViewHtml("/", "", { "/auth/me": ME }, {})).toBe("");
  });
});
