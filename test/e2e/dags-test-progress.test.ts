import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, batonJson, BIN, poll, ROOT, startStandalone, stopProcess, type CliResult } from "./baton-cli.js";

// Issue 13 item B: `baton dags test` shows the run as it goes (states, log lines, return values,
// colours on a terminal only, a summary table); `baton tasks test` names the upstream values a
// task lacks, or takes them from a stored run with --from-run.

// Line numbers matter: "report" throws on line 6.
const DAG = `import { dag } from "baton";
export default dag({ id: "demo" }, (d) => {
  const extract = d.task("extract", async (ctx) => { ctx.log.info("fetched rows", { n: 3 }); console.log("plain console"); return { rows: [1, 2, 3] }; });
  const total = d.task("total", { inputs: { e: extract } }, async (_ctx, { e }) => e.rows.reduce((a, b) => a + b, 0));
  const secret = d.task("secret", { sensitive: true }, async () => "s3cret-value");
  const report = d.task("report", { inputs: { t: total } }, async (_ctx, { t }) => { throw new Error("report broke at " + t); });
  d.task("double", { inputs: { t: total, s: secret } }, async (_ctx, { t, s }) => ({ doubled: t * 2, secretLength: s.length }));
  d.task("after_report", { inputs: { r: report }, triggerRule: "all_done" }, async (_ctx, { r }) => r);
});
`;

const ANSI = /\x1b\[[0-9;]*m/;
/** Piped runs: no colour unless asked, whatever the caller's environment says. */
const PLAIN = { FORCE_COLOR: "", NO_COLOR: "" };

let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-progress-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "demo.ts"), DAG);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_API_PORT: "0", BATON_POLL_MS: "100", BATON_WORKERS: "1" };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `baton` with FORCE_COLOR and NO_COLOR removed from the environment unless given. */
function batonPlain(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const clean = { ...process.env };
  delete clean.FORCE_COLOR;
  delete clean.NO_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...clean, ...env, ...extra }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `baton` on a pseudo-terminal (util-linux `script`), as a user at a terminal runs it. */
function batonOnTerminal(args: string[], extra: Record<string, string> = {}): string {
  const clean = { ...process.env };
  delete clean.FORCE_COLOR;
  delete clean.NO_COLOR;
  // Node counts a terminal under CI=… (no known CI service named) as 2-colour, so hasColors() is false there (CI=true failed this).
  delete clean.CI;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  try {
    return execFileSync("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...clean, ...env, TERM: "xterm-256color", ...extra },
      encoding: "utf8",
      timeout: 60_000,
    });
  } catch (e) {
    throw new Error(`baton on a terminal failed: ${String((e as { stdout?: string }).stdout ?? e)}`);
  }
}

function hasScript(): boolean {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("baton dags test shows the run as it goes", () => {
  it("piped: a line per state change with return values, no colour, no log lines, a summary table and the failure's .ts line", async () => {
    const r = await batonPlain(["dags", "test", "demo"]);
    // The leaves succeed ("after_report" runs when all are done), so the run does too.
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).not.toMatch(ANSI);
    expect(out).toMatch(/^Testing DAG demo: run manual__\S+, 6 tasks$/m);
    const lines = out.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const running = at(/^\d\d:\d\d:\d\d {2}extract +running {2}try 1$/);
    const success = at(/^\d\d:\d\d:\d\d {2}extract +success {2}\d+(ms|s) {2}→ \{"rows":\[1,2,3\]\}$/);
    expect(running, out).toBeGreaterThan(0);
    expect(success, out).toBeGreaterThan(running);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {2}total +success {2}\S+ {2}→ 6$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {2}secret +success {2}\S+ {2}→ \*\*\* \(sensitive\)$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {2}report +failed {2}\S+ {2}Error: report broke at 6$/m);
    // No log lines unless asked (or on a terminal).
    expect(out).not.toContain("fetched rows");
    expect(out).not.toContain("plain console");
    // The summary table: task, state, tries, duration, value.
    const header = at(/^task +state +tries +duration +value$/);
    expect(header, out).toBeGreaterThan(success);
    expect(lines[header + 1]).toMatch(/^-+( +-+){4}$/);
    const table = lines.slice(header + 2, header + 8);
    expect(table[0]).toMatch(/^extract +success +1 +\S+ +\{"rows":\[1,2,3\]\}$/);
    expect(table[1]).toMatch(/^total +success +1 +\S+ +6$/);
    expect(table[2]).toMatch(/^secret +success +1 +\S+ +\*\*\* \(sensitive\)$/);
    expect(table[3]).toMatch(/^report +failed +1 +\S+$/);
    expect(table[4]).toMatch(/^double +success +1 +\S+ +\{"doubled":12,"secretLength":12\}$/);
    expect(table[5]).toMatch(/^after_report +success +1 +\S+$/);
    expect(out).not.toContain("s3cret-value");
    expect(out).toContain("report failed:\n  Error: report broke at 6\n");
    expect(out).toContain(`${join(root, "dags", "demo.ts")}:6:`);
    expect(out).toMatch(/^Run manual__\S+: success$/m);
  });

  it("--logs: each log line under its task, between its running and success lines", async () => {
    const r = await batonPlain(["dags", "test", "demo", "--logs"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const running = at(/ {2}extract +running/);
    const info = at(/^ {10}extract +\| \S+ INFO fetched rows \{"n":3\}$/);
    const printed = at(/^ {10}extract +\| plain console$/);
    const success = at(/ {2}extract +success/);
    expect(info, r.stdout).toBeGreaterThan(running);
    expect(printed).toBeGreaterThan(info);
    expect(success).toBeGreaterThan(printed);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it("FORCE_COLOR colours piped output; NO_COLOR keeps it plain", async () => {
    const forced = await batonPlain(["dags", "test", "demo"], { FORCE_COLOR: "1" });
    expect(forced.stdout).toMatch(/\x1b\[32msuccess\x1b\[39m/);
    expect(forced.stdout).toMatch(/\x1b\[31mfailed/);
    const plain = await batonPlain(["dags", "test", "demo"], { NO_COLOR: "1" });
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toMatch(/^task +state +tries +duration +value$/m);
  });

  it.skipIf(!hasScript())("on a terminal (util-linux script): colours and log lines by default; NO_COLOR turns colours off", () => {
    const tty = batonOnTerminal(["dags", "test", "demo"]);
    expect(tty).toMatch(/\x1b\[32msuccess\x1b\[39m/);
    expect(tty).toMatch(/extract +\|\x1b\[22m \S+ INFO fetched rows/);
    const noColor = batonOnTerminal(["dags", "test", "demo"], { NO_COLOR: "1" });
    expect(noColor).not.toMatch(ANSI);
    expect(noColor).toMatch(/ {10}extract +\| \S+ INFO fetched rows/);
    const noLogs = batonOnTerminal(["dags", "test", "demo", "--no-logs"], { NO_COLOR: "1" });
    expect(noLogs).not.toContain("fetched rows");
  });

  it("--json is unchanged: one JSON object, no progress lines", async () => {
    const r = await batonPlain(["dags", "test", "demo", "--json"], { FORCE_COLOR: "1" });
    const out = batonJson<Record<string, unknown>>(r);
    expect(Object.keys(out)).toEqual(["dagId", "runId", "state", "tasks"]);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });
});

describe("baton tasks test: upstream values", () => {
  it("without them: exit 2, naming each missing input, its upstream task and how to give them", async () => {
    const r = await batonPlain(["tasks", "test", "demo", "double"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('task "double" of DAG demo needs upstream values it was not given:');
    expect(r.stderr).toContain('  t: the return value of task "total"');
    expect(r.stderr).toContain('  s: the return value of task "secret"');
    expect(r.stderr).toContain(`--inputs '{"t": …, "s": …}'`);
    expect(r.stderr).toContain("--from-run latest");
    // Given some: only the others are named.
    const partly = await batonPlain(["tasks", "test", "demo", "double", "--inputs", '{"t": 1}']);
    expect(partly.code).toBe(2);
    expect(partly.stderr).not.toContain("  t: ");
    expect(partly.stderr).toContain('  s: the return value of task "secret"');
    // No stored run yet.
    const none = await batonPlain(["tasks", "test", "demo", "double", "--from-run", "latest"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("DAG demo has no runs yet");
  });

  it("--from-run latest / <run id>: the values stored for that run (a sensitive one opened), --inputs taking precedence; a failed upstream is named", async () => {
    const s = await startStandalone(env);
    let runId: string;
    try {
      runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "demo", "--json"], env)).runId;
      await poll(async () => {
        const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "demo", "--json"], env));
        return runs.find((x) => x.runId === runId && ["success", "failed"].includes(x.state));
      }, 60_000);
    } finally {
      await stopProcess(s.proc);
    }
    const latest = await batonPlain(["tasks", "test", "demo", "double", "--from-run", "latest", "--json"]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(batonJson(latest)).toMatchObject({ state: "success", returnValue: { doubled: 12, secretLength: 12 } });

    const byId = await batonPlain(["tasks", "test", "demo", "double", "--from-run", runId, "--inputs", '{"t": 100}']);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toContain(`Inputs s from run ${runId}`); // t is given
    expect(byId.stdout).toContain('Return value: {"doubled":200,"secretLength":12}');
    expect(byId.stdout).not.toMatch(ANSI);

    const failedUpstream = await batonPlain(["tasks", "test", "demo", "after_report", "--from-run", "latest"]);
    expect(failedUpstream.code).toBe(2);
    expect(failedUpstream.stderr).toContain(`  r: the return value of task "report" (task "report" is failed in run ${runId})`);

    const unknown = await batonPlain(["tasks", "test", "demo", "double", "--from-run", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('DAG demo has no run "nope"');
  }, 120_000);
});
