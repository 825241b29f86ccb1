import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, baton, startStandalone, waitExit } from "./baton-cli.js";

let root: string;
let env: Record<string, string>;
const procs: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-api-e2e-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(
    join(root, "dags", "hello.ts"),
    `import { dag, z } from "baton";\nexport default dag({ id: "hello", params: z.object({ name: z.string().default("world") }) }, (d) => {\n  d.task("greet", async (ctx) => "hello " + ctx.params.name);\n});\n`,
  );
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_POLL_MS: "100", BATON_WORKERS: "1", BATON_API_PORT: "0" };
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null) {
      p.kill("SIGKILL");
      await waitExit(p).catch(() => {});
    }
  }
  rmSync(root, { recursive: true, force: true });
});

const urlOf = (output: string) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];

describe("the API served by the real binary", () => {
  it("standalone (local mode): listens on 127.0.0.1, prints the admin password once, answers without sign-in, runs what the API triggers", async () => {
    const s = await startStandalone(env);
    procs.push(s.proc);
    const base = urlOf(s.output());
    expect(base).toBeDefined();
    expect(s.output()).toMatch(/Created user "admin" with password: \S{16,}/);
    const dags = await fetch(`${base}/api/v1/dags`);
    expect(dags.status).toBe(200);
    expect(((await dags.json()) as { dags: { dagId: string }[] }).dags.map((d) => d.dagId)).toEqual(["hello"]);
    const bad = await fetch(`${base}/api/v1/dags/hello/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: { name: 5 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/name/);
    const trig = await fetch(`${base}/api/v1/dags/hello/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: { name: "Ada" } }),
    });
    expect(trig.status).toBe(201);
    const { runId } = (await trig.json()) as { runId: string };
    let state = "";
    for (let i = 0; i < 150 && state !== "success"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = ((await (await fetch(`${base}/api/v1/dags/hello/runs/${encodeURIComponent(runId)}`)).json()) as { state: string }).state;
    }
    expect(state).toBe("success");
    const ti = (await (await fetch(`${base}/api/v1/dags/hello/runs/${encodeURIComponent(runId)}/tasks/greet`)).json()) as { returnValue: unknown };
    expect(ti.returnValue).toBe("hello Ada");
    const openapi = await fetch(`${base}/api/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    s.proc.kill("SIGTERM");
    expect(await waitExit(s.proc)).toBe(0);
    // The password is printed only on the first start.
    const again = await startStandalone(env);
    procs.push(again.proc);
    expect(again.output()).not.toMatch(/with password/);
  });

  it("baton api: only health answers without credentials; an API token works; a viewer cannot mutate", async () => {
    // Create the users first (the database is created on the way).
    expect((await baton(["db", "migrate"], env)).code).toBe(0);
    expect((await baton(["users", "create", "ops", "--role", "admin", "--password", "correct horse battery"], env)).code).toBe(0);
    expect((await baton(["users", "create", "vic", "--role", "viewer", "--password", "viewer password"], env)).code).toBe(0);
    const adminToken = (await baton(["tokens", "create", "--user", "ops", "--name", "e2e"], env)).stdout.trim();
    const viewerToken = (await baton(["tokens", "create", "--user", "vic"], env)).stdout.trim();
    expect(adminToken).toMatch(/^baton_/);
    const proc = spawn(process.execPath, [BIN, "api"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    procs.push(proc);
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !urlOf(out); i++) await new Promise((r) => setTimeout(r, 50));
    const base = urlOf(out);
    expect(base, out).toBeDefined();
    expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
    const anon = await fetch(`${base}/api/v1/dags`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect((await fetch(`${base}/api/v1/dags`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/dags`, { headers: { authorization: "Bearer baton_nope_nope" } })).status).toBe(401);
    const viewerPause = await fetch(`${base}/api/v1/dags/hello`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${viewerToken}`, "content-type": "application/json" },
      body: JSON.stringify({ paused: true }),
    });
    expect(viewerPause.status).toBe(403);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ops", password: "correct horse battery" }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
  });
});
