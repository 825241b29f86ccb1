import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";

// @opentelemetry/api is an optional peer dependency (docs/install.md, docs/tracing.md): a project
// without tracing does not install it. This repository does, so a resolve hook makes Node answer
// as it does where the package is missing. test/package/npm-pack.test.ts runs DAGs in a real
// install without it. Runs the compiled code (`npm run build`).

const HOOKS = `export async function resolve(s, c, next) {
  if (s === "@opentelemetry/api" || s.startsWith("@opentelemetry/api/")) throw Object.assign(new Error("Cannot find package '@opentelemetry/api' imported from " + c.parentURL), { code: "ERR_MODULE_NOT_FOUND" });
  return next(s, c);
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;
const WITHOUT_API = `--import=data:text/javascript,${encodeURIComponent(REGISTER)}`;

const root = mkdtempSync(join(tmpdir(), "baton-no-otel-api-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("ctx.trace without @opentelemetry/api installed", () => {
  it("a task's spans run their function and record nothing; traceparent is null; the run succeeds", async () => {
    const dags = join(root, "dags");
    mkdirSync(dags);
    writeFileSync(
      join(dags, "traced.ts"),
      `import { dag } from "baton";
export default dag({ id: "trace_without_api" }, (d) => {
  const load = d.task("load", async (ctx) => {
    const rows = await ctx.trace.span("load rows", async (span) => {
      span.setAttribute("table", "sales").addEvent("fetched", { n: 3 });
      if (span.isRecording()) throw new Error("a span recorded without the API");
      return 3;
    }, { "db.system": "postgresql" });
    if (ctx.trace.traceparent !== null) throw new Error("traceparent " + ctx.trace.traceparent);
    const failed = await ctx.trace.span("fails", async () => { throw new TypeError("bad row 7"); }).catch((e) => e.message);
    if (failed !== "bad row 7") throw new Error("span did not rethrow: " + String(failed));
    return rows;
  });
  d.task("check", { inputs: { rows: load } }, (_ctx, { rows }) => { if (rows !== 3) throw new Error("rows " + rows); });
});
`,
    );
    const r = await baton(["dags", "test", "trace_without_api", "--dags", dags, "--home", join(root, "home"), "--json"], { NODE_OPTIONS: WITHOUT_API });
    const out = batonJson<{ state: string; tasks: { taskId: string; state: string; error?: string }[] }>(r);
    expect(out.tasks).toEqual([expect.objectContaining({ taskId: "load", state: "success" }), expect.objectContaining({ taskId: "check", state: "success" })]);
    expect(out.state).toBe("success");
    expect(r.code).toBe(0);
  });
});
