import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";

// The npm package as a user gets it: `npm pack` here, the tarball installed into an empty project
// outside this repository, then the first hour in that project (init, dags test, type-check, the
// template's own test). Installs use --prefer-offline: `npm ci` of this repository filled the npm
// cache with every version needed. Install scripts are skipped and better-sqlite3's compiled addon
// is copied from this repository's install (same locked version): compiling it again from source
// takes minutes and tests nothing of Baton's.

const ROOT = join(import.meta.dirname, "..", "..");
const ours = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 300_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
const ok = (r: Result) => {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
};

let dir: string;
let tarball: string;
let files: string[];
let app: string;
const npmInstall = (cwd: string, specs: string[]) =>
  sh("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", ...specs], cwd);
const dev = (name: string) => `${name}@${ours.devDependencies[name]}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-pack-"));
  // What `npm run build` ships: the bundles over tsc's output (a later `tsc -p tsconfig.build.json` puts tsc's entries back).
  ok(await sh(process.execPath, [join(ROOT, "scripts", "bundle.mjs")], ROOT));
  ok(await sh("npm", ["pack", "--ignore-scripts", "--pack-destination", dir, "--loglevel=error"], ROOT));
  tarball = join(dir, `baton-${ours.version}.tgz`);
  files = ok(await sh("tar", ["tzf", tarball], dir))
    .stdout.split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));

  // An empty project gets the tarball, then `baton init .` fills it in.
  app = join(dir, "my-pipelines");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-pipelines", private: true }, null, 2));
  ok(await npmInstall(app, [tarball]));
  const addon = join("node_modules", "better-sqlite3", "build", "Release");
  mkdirSync(join(app, addon), { recursive: true });
  copyFileSync(join(ROOT, addon, "better_sqlite3.node"), join(app, addon, "better_sqlite3.node"));
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the compiled server, the CLI, the built UI, types and templates; no sources, tests, docs or source maps", () => {
    for (const f of [
      "package.json",
      "README.md",
      "bin/baton.js",
      "dist/src/cli/main.js",
      "dist/src/sdk/index.js",
      "dist/src/sdk/index.d.ts",
      "dist/src/operators/index.d.ts",
      "dist/src/testing/index.d.ts",
      "dist/ui/index.html",
      "templates/init/tsconfig.json",
      "docs/openapi.json",
      "scripts/tidy-native-build.mjs",
    ]) {
      expect(files, f).toContain(f);
    }
    // Of docs/, only the OpenAPI document the server serves.
    const unwanted = files.filter(
      (f) =>
        (/^(src|test|ui|docs|bench|scripts|examples|deploy)\//.test(f) && f !== "docs/openapi.json" && f !== "scripts/tidy-native-build.mjs") ||
        /\.map$|\.test\.(js|d\.ts)$/.test(f) ||
        f.startsWith("dist/bench/"),
    );
    expect(unwanted).toEqual([]);
    // JavaScript: the bundled entries (scripts/bundle.mjs) and their shared chunks; none of tsc's other modules.
    const js = files.filter((f) => f.startsWith("dist/src/") && f.endsWith(".js"));
    const loose = js.filter((f) => !f.startsWith("dist/src/_chunks/"));
    expect(loose.sort()).toEqual(
      [
        "cli/main",
        "cli/type-check-child",
        "dag-processor/child",
        "executor/task-runner/callback-main",
        "executor/task-runner/main",
        "executor/task-runner/parent-watchdog",
        "notifiers/index",
        "operators/index",
        "sdk/index",
        "testing/index",
      ].map((e) => `dist/src/${e}.js`),
    );
    expect(js.length - loose.length).toBeGreaterThan(0);
    // Types: only the .d.ts files the public entries reach (sdk, core, operators, notifiers, testing); none of the server's internals.
    const internalTypes = files.filter((f) => /^dist\/src\/(api|cli|store|scheduler|executor|remote)\/.*\.d\.ts$/.test(f));
    expect(internalTypes).toEqual([]);
  });

  it("installs without any integration's client library, and imports of baton, baton/operators and baton/notifiers resolve", async () => {
    for (const p of Object.keys(ours.peerDependencies)) expect(existsSync(join(app, "node_modules", p)), `${p} is optional`).toBe(false);
    expect(existsSync(join(app, "node_modules", "nodemailer")), "nodemailer is an optional peer dependency").toBe(false);
    expect(existsSync(join(app, "node_modules", "@fastify", "swagger")), "@fastify/swagger only generates the document").toBe(false);
    const r = ok(
      await sh(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const [a, b, c, t] = await Promise.all([import("baton"), import("baton/operators"), import("baton/notifiers"), import("baton/testing")]); console.log(typeof a.dag, typeof b.sqlQuery, Object.keys(c).length > 0, typeof t.testDag);`,
        ],
        app,
      ),
    );
    expect(r.stdout.trim()).toBe("function function true function");
    expect(ok(await sh("npx", ["baton", "--version"], app)).stdout).toContain(ours.version);
  }, 120_000);

  // Issue 13, install size: where better-sqlite3 compiles its addon (no prebuilt binary), node-gyp
  // leaves ~15 MB of object files; the package's postinstall removes them and keeps the addon.
  it("its postinstall removes node-gyp's intermediate files of better-sqlite3 and keeps the addon", async () => {
    expect(ours.scripts.postinstall).toBe("node scripts/tidy-native-build.mjs");
    const release = join(app, "node_modules", "better-sqlite3", "build", "Release");
    for (const d of ["obj", "obj.target", ".deps"]) {
      mkdirSync(join(release, d, "sub"), { recursive: true });
      writeFileSync(join(release, d, "sub", "x.o"), "object file");
    }
    writeFileSync(join(release, "sqlite3.a"), "archive");
    writeFileSync(join(release, "test_extension.node"), "extension");
    // As npm runs it: from the installed package's folder.
    ok(await sh(process.execPath, ["scripts/tidy-native-build.mjs"], join(app, "node_modules", "baton")));
    expect(readdirSync(release)).toEqual(["better_sqlite3.node"]);
    const r = ok(
      await sh(process.execPath, ["-e", 'const D = require("better-sqlite3"); console.log(new D(":memory:").prepare("select 1 as one").get().one)'], app),
    );
    expect(r.stdout.trim()).toBe("1");
  }, 60_000);

  it("the first hour: baton init, dags test, a type-check that catches a type error, the template's own test", async () => {
    const init = ok(await sh("npx", ["baton", "init", "."], app));
    expect(init.stdout).toMatch(/npm install/);
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.dependencies.baton).toBeDefined();
    // The template's dev tools, installed from the cache; baton stays the tarball.
    ok(await npmInstall(app, [tarball, ...Object.keys(pkg.devDependencies).map(dev)]));

    const run = ok(await sh("npx", ["baton", "dags", "test", "example_etl", "--dags", "dags"], app, {}, 120_000));
    expect(run.stdout + run.stderr).toMatch(/success/);
    ok(await sh("npx", ["tsc", "--noEmit", "-p", "."], app));
    ok(await sh("npm", ["test", "--silent"], app));
    ok(await sh("npx", ["baton", "dags", "check", "--dags", "dags"], app));

    writeFileSync(
      join(app, "dags", "broken.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "broken" }, (d) => {\n  d.task("t", (): number => "not a number");\n});\n`,
    );
    const tsc = await sh("npx", ["tsc", "--noEmit", "-p", "."], app);
    expect(tsc.code).not.toBe(0);
    expect(tsc.stdout).toMatch(/dags\/broken\.ts\(3,/);
    const check = await sh("npx", ["baton", "dags", "check", "--dags", "dags"], app);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/broken\.ts:3:\d+/);
  }, 900_000);

  it("a task that needs an integration that is not installed fails at once, naming the package to install", async () => {
    const dags = join(dir, "needs-duckdb");
    mkdirSync(dags);
    writeFileSync(
      join(dags, "q.ts"),
      `import { dag } from "baton";\nimport { sqlQuery } from "baton/operators";\nexport default dag({ id: "needs_duckdb" }, (d) => {\n  sqlQuery(d, "q", { conn: "lake", sql: "select 1", retries: 3 });\n});\n`,
    );
    const r = await sh("npx", ["baton", "dags", "test", "needs_duckdb", "--dags", dags], app, { BATON_CONN_LAKE: "duckdb:///:memory:" }, 120_000);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("DuckDB needs @duckdb/node-api: npm install @duckdb/node-api");
  }, 120_000);

  it("sendEmail without nodemailer installed fails at once, naming the package to install", async () => {
    const dags = join(dir, "needs-nodemailer");
    mkdirSync(dags);
    writeFileSync(
      join(dags, "m.ts"),
      `import { dag } from "baton";\nimport { sendEmail } from "baton/operators";\nexport default dag({ id: "needs_nodemailer" }, (d) => {\n  sendEmail(d, "m", { conn: "smtp://127.0.0.1:9?from=a%40example.com", to: "b@example.com", subject: "s", text: "t", retries: 3 });\n});\n`,
    );
    const r = await sh("npx", ["baton", "dags", "test", "needs_nodemailer", "--dags", dags, "--json"], app, {}, 120_000);
    expect(r.code).not.toBe(0);
    const out = JSON.parse(r.stdout) as { tasks: { state: string; attempts: number; error?: string }[] };
    expect(out.tasks).toEqual([expect.objectContaining({ state: "failed", attempts: 1, error: "E-mail needs nodemailer: npm install nodemailer" })]);
  }, 120_000);

  it("serves GET /api/openapi.json from the document the package ships (the repository's docs/openapi.json)", async () => {
    const port = await freePort();
    const home = join(dir, "openapi-home");
    const dags = join(dir, "openapi-dags");
    mkdirSync(dags);
    const proc = spawn(
      process.execPath,
      [join(app, "node_modules", "baton", "bin", "baton.js"), "standalone", "--dags", dags, "--home", home, "--port", String(port)],
      {
        cwd: app,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (output += d.toString()));
    try {
      let res: Response | null = null;
      for (const deadline = Date.now() + 60_000; res === null && Date.now() < deadline && proc.exitCode === null;) {
        res = await fetch(`http://127.0.0.1:${port}/api/openapi.json`, { headers: { "accept-encoding": "identity" } }).catch(() => null);
        if (res === null) await new Promise((r) => setTimeout(r, 200));
      }
      expect(res?.status, output).toBe(200);
      expect(await res!.text()).toBe(readFileSync(join(ROOT, "docs", "openapi.json"), "utf8"));
    } finally {
      if (proc.exitCode === null) await new Promise((r) => (proc.once("exit", r), proc.kill("SIGTERM")));
    }
  }, 120_000);
});
