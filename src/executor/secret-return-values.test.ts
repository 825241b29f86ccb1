import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Connection } from "../core/model/connection.js";
import type { Executor } from "../core/ports/executor.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { InProcessExecutor } from "./in-process-executor.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

// Issue 8, item 2: a return value holding a connection's password was stored as is.
const PASSWORD = "p@ss w0rd-secret";
const TOKEN = "xoxb-token-value";

const resolver: SecretsResolver = {
  async connection(id: string): Promise<Connection> {
    return { id, type: "postgres", host: "h", port: 5432, login: "u", password: PASSWORD, schema: "db", extra: {} };
  },
  async variable(): Promise<string> {
    return TOKEN;
  },
};

const TASKS = `{
  leaks: { kind: "function", async run(ctx) {
    const c = await ctx.connection("wh");
    const token = await ctx.variable("api_token");
    return { url: "postgres://u:" + c.password + "@h/db", encoded: "pg://u:" + encodeURIComponent(c.password) + "@h", pw: c.password,
      nested: [{ [token]: token }, 7, null, true] };
  } },
  sensitive: { kind: "function", sensitive: true, async run(ctx) {
    const c = await ctx.connection("wh");
    return { pw: c.password };
  } },
  plain: { kind: "function", async run() { return { pw: "not-a-secret" }; } },
}`;

describe.each([
  ["LocalProcessExecutor", () => new LocalProcessExecutor({ processes: 1, killGraceMs: 200, secrets: resolver })],
  ["InProcessExecutor", () => new InProcessExecutor({ echoOutput: false, secrets: resolver })],
] as const)("return values holding secrets in %s", (_name, make) => {
  let dir: string;
  let bundlePath: string;
  let executor: Executor | undefined;

  beforeAll(() => {
    dir = tempDir();
    bundlePath = writeDagModule(dir, "d", TASKS);
  });
  afterEach(async () => {
    await executor?.shutdown(1_000);
    executor = undefined;
  });

  async function run(taskId: string) {
    const listener = new RecordingListener();
    executor = make();
    await executor.start(listener);
    const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId });
    executor.submit(request);
    return (await listener.finishedOf(request.attemptId)).outcome;
  }

  it("masks the secrets the attempt obtained in every string of the value, keys included", async () => {
    const outcome = await run("leaks");
    expect(outcome.kind).toBe("success");
    const output = (outcome as { output: string }).output;
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(encodeURIComponent(PASSWORD));
    expect(output).not.toContain(TOKEN);
    expect(JSON.parse(output)).toEqual({ url: "postgres://u:***@h/db", encoded: "pg://u:***@h", pw: "***", nested: [{ "***": "***" }, 7, null, true] });
    expect(outcome).not.toHaveProperty("sensitive");
  });

  it("hands a sensitive task's value back whole, flagged for the scheduler to seal", async () => {
    expect(await run("sensitive")).toEqual({ kind: "success", output: JSON.stringify({ pw: PASSWORD }), sensitive: true });
  });

  it("leaves a value alone when the attempt obtained no secret", async () => {
    expect(await run("plain")).toEqual({ kind: "success", output: JSON.stringify({ pw: "not-a-secret" }) });
  });
});
