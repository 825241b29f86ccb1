import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../core/errors.js";
import type { Connection } from "../core/model/connection.js";
import type { Executor } from "../core/ports/executor.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { InProcessExecutor } from "./in-process-executor.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { AttemptLog } from "./task-runner/attempt-log.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

const PASSWORD = "pg-Pa55word!";
const TOKEN = "xoxb-slack-token-value";
const PLAIN = "https://reports.example.com";

const resolver: SecretsResolver = {
  async connection(id: string): Promise<Connection> {
    if (id !== "wh") throw new NotFoundError(`connection "${id}" not found: looked in BATON_CONN_${id.toUpperCase()}`);
    return { id, type: "postgres", host: "db", port: 5432, login: "etl", password: PASSWORD, schema: "a", extra: { api_key: "extra-key-1234", region: "eu" } };
  },
  async variable(key: string): Promise<string> {
    if (key === "slack_token") return TOKEN;
    if (key === "endpoint") return PLAIN;
    throw new NotFoundError(`variable "${key}" not found`);
  },
};

const TASKS = `{
  uses: { kind: "function", async run(ctx) {
    const c = await ctx.connection("wh");
    const token = await ctx.variable("slack_token");
    const endpoint = await ctx.variable("endpoint");
    ctx.log.info("connecting with " + c.password, { extra: c.extra.api_key });
    console.log("token is", token, "endpoint is", endpoint);
    process.stdout.write("raw " + c.password + "\\n");
    process.stderr.write("err " + token + "\\n");
    return { host: c.host, login: c.login };
  } },
  throws: { kind: "function", async run(ctx) {
    const c = await ctx.connection("wh");
    throw new Error("could not log in with " + c.password);
  } },
  missing: { kind: "function", async run(ctx) { await ctx.connection("nope"); } },
  missingVar: { kind: "function", async run(ctx) {
    try { await ctx.variable("nope"); } catch (e) { return e.name + ": " + e.message; }
  } },
}`;

describe.each([
  ["LocalProcessExecutor", (secrets?: SecretsResolver) => new LocalProcessExecutor({ processes: 1, killGraceMs: 200, ...(secrets ? { secrets } : {}) })],
  ["InProcessExecutor", (secrets?: SecretsResolver) => new InProcessExecutor({ echoOutput: false, ...(secrets ? { secrets } : {}) })],
] as const)("ctx.connection / ctx.variable in %s", (_name, make) => {
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

  async function run(taskId: string, secrets?: SecretsResolver) {
    await executor?.shutdown(1_000);
    const listener = new RecordingListener();
    executor = make(secrets);
    await executor.start(listener);
    const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId });
    executor.submit(request);
    const report = await listener.finishedOf(request.attemptId);
    return { report, log: existsSync(request.logPath) ? readFileSync(request.logPath, "utf8") : "" };
  }

  it("gives the task its secrets and masks them in every path to the log", async () => {
    const { report, log } = await run("uses", resolver);
    expect(report.outcome).toEqual({ kind: "success", output: JSON.stringify({ host: "db", login: "etl" }) });
    for (const secret of [PASSWORD, TOKEN, "extra-key-1234"]) expect(log).not.toContain(secret);
    expect(log).toContain("connecting with ***");
    expect(log).toContain("token is *** endpoint is https://reports.example.com");
    expect(log).toContain("raw ***");
    expect(log).toContain("err ***");
  });

  it("masks secrets in the stored error too", async () => {
    const { report, log } = await run("throws", resolver);
    expect(report.outcome.kind).toBe("failed");
    const error = "error" in report.outcome ? report.outcome.error : "";
    expect(error).toContain("could not log in with ***");
    expect(error).not.toContain(PASSWORD);
    expect(log).not.toContain(PASSWORD);
  });

  it("passes NotFoundError through with its message", async () => {
    const { report } = await run("missing", resolver);
    expect(report.outcome).toMatchObject({ kind: "failed" });
    expect("error" in report.outcome && report.outcome.error).toContain('connection "nope" not found');
    const missingVar = await run("missingVar", resolver);
    expect(missingVar.report.outcome).toEqual({ kind: "success", output: JSON.stringify('NotFoundError: variable "nope" not found') });
  });

  it("without a resolver, fails with a clear error", async () => {
    const { report } = await run("missing");
    expect("error" in report.outcome && report.outcome.error).toContain("without a secrets resolver");
  });
});

describe("AttemptLog masking of streams", () => {
  it("masks a secret split across two chunks of shell output", () => {
    const dir = tempDir();
    const log = new AttemptLog(`${dir}/a.log`);
    log.addSecrets(["split-secret-value"]);
    const out = log.streamWriter("OUT");
    out.write("line one split-sec");
    out.write("ret-value end\nlast ");
    out.write("no newline");
    out.end();
    log.close();
    const TS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    expect(readFileSync(`${dir}/a.log`, "utf8")).toMatch(new RegExp(`^${TS} OUT line one \\*\\*\\* end\\n${TS} OUT last no newline\\n$`));
  });
});
