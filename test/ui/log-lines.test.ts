import { describe, expect, it } from "vitest";
import { parseLogLines } from "../../ui/src/pages/dag/log-lines.js";

describe("parseLogLines", () => {
  it("reads a shell task's `<time> OUT` / `<time> ERR` lines as Output with their timestamp, beside ctx.log's levelled lines", () => {
    const lines = parseLogLines(
      [
        '2026-11-21T08:00:00.123Z INFO from ctx.log {"n":1}',
        "2026-11-21T08:00:01.000Z OUT hello from echo",
        "2026-11-21T08:00:01.500Z ERR warning: on stderr",
        "plain console output",
        "",
      ].join("\n"),
    );
    expect(lines.map((l) => [l.level, l.ts, l.text.slice(l.prefix)])).toEqual([
      ["INFO", "2026-11-21T08:00:00.123Z", 'from ctx.log {"n":1}'],
      ["OUTPUT", "2026-11-21T08:00:01.000Z", "hello from echo"],
      ["OUTPUT", "2026-11-21T08:00:01.500Z", "warning: on stderr"],
      ["OUTPUT", null, "plain console output"],
    ]);
  });
});
