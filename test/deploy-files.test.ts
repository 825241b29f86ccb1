import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
// `yaml` (a devDependency) reads compose.yaml's `<<` merges.
import { parse } from "yaml";
// @ts-expect-error -- a plain .mjs script: the image's HEALTHCHECK
import { batonArgs, probeUrl } from "../deploy/docker/healthcheck.mjs";
import { freePort } from "./support/free-port.js";

// The deployment files (docs/deploy.md): Dockerfile, .dockerignore, compose.yaml and the image's
// healthcheck. Images cannot be built on these machines (no Docker daemon), so this checks what
// can be checked without one: every `baton` command and flag they use against the real CLI, every
// variable they set against what Baton reads, the image's layout against what the server looks
// for at run time, and the healthcheck against a real `baton api`.

const ROOT = join(import.meta.dirname, "..");
const BATON = join(ROOT, "bin", "baton.js");
const HEALTHCHECK = join(ROOT, "deploy", "docker", "healthcheck.mjs");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

const work = mkdtempSync(join(tmpdir(), "baton-deploy-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ---- the Dockerfile ----------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | null;
  body: Instruction[];
}

/** The Dockerfile's stages, continuation lines joined, comments dropped, `ARG` defaults substituted in FROM. */
function dockerfileStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const argDefaults = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === "ARG" && stages.length === 0) {
      const [name = "", value = ""] = args.split("=");
      argDefaults.set(name, value);
    } else if (upper === "FROM") {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      const image = (m?.[1] ?? "").replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => argDefaults.get(a ?? b ?? "") ?? "");
      stages.push({ image, name: m?.[2] ?? null, body: [] });
    } else stages.at(-1)?.body.push({ op: upper, args });
  }
  return stages;
}

/** `COPY [--from=x] [--chown=…] src… dest` → its parts. */
function copyOf(args: string): { from: string | null; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length) ?? null;
  const paths = words.filter((w) => !w.startsWith("--"));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
}

const dockerfile = read("Dockerfile");
const stages = dockerfileStages(dockerfile);
const runtime = stages.at(-1) as Stage;
const lastOf = (stage: Stage, op: string) => stage.body.filter((i) => i.op === op).at(-1);
const workdirOf = (stage: Stage) => lastOf(stage, "WORKDIR")?.args ?? "/";
const jsonArgs = (i: Instruction | undefined) => (i ? (JSON.parse(i.args.replace(/^CMD\s+/i, "")) as string[]) : []);
const runtimeEnv = new Map(
  runtime.body.filter((i) => i.op === "ENV").flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] ?? "", m[2] ?? ""] as const)),
);
const ENTRYPOINT = jsonArgs(lastOf(runtime, "ENTRYPOINT"));
/** Where the runtime stage put a path copied from the build context or another stage. */
const runtimeCopies = runtime.body.filter((i) => i.op === "COPY").map((i) => copyOf(i.args));
const dest = (d: string) => posix.resolve(workdirOf(runtime), d);

describe("Dockerfile", () => {
  it("builds in stages and runs the last one as the non-root user it creates", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.slice(0, -1).every((s) => s.name !== null)).toBe(true);
    expect(runtime.image).toMatch(/^node:22(-bookworm)?-slim$/);
    const user = lastOf(runtime, "USER")?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.body.findIndex((i) => i.op === "USER")).toBeLessThan(runtime.body.findIndex((i) => i.op === "ENTRYPOINT"));
    const created = runtime.body.some((i) => i.op === "RUN" && new RegExp(`useradd\\b[^&]*\\b${user}\\b`).test(i.args));
    expect(created, `the runtime stage creates the user ${user}`).toBe(true);
    expect(runtimeEnv.get("BATON_HOME")).toBe("/var/lib/baton");
    expect(
      runtime.body.some((i) => i.op === "RUN" && /chown\b[^&]*\bbaton:baton \/var\/lib\/baton\b/.test(i.args)),
      "BATON_HOME belongs to the user",
    ).toBe(true);
  });

  it("copies production dependencies only, and the server and the UI from the build stage, where the server looks for them", () => {
    const stage = (name: string | null) => stages.find((s) => s.name === name);
    // node_modules: from a stage that installs with --omit=dev.
    const modules = runtimeCopies.find((c) => c.sources.some((s) => s.endsWith("/node_modules")));
    expect(modules?.from).toBeTruthy();
    expect(stage(modules?.from ?? null)?.body.some((i) => i.op === "RUN" && /npm ci\b[^&]*--omit=dev/.test(i.args))).toBe(true);
    expect(dest(modules?.dest ?? "")).toBe(dest("node_modules"));
    // dist/src and dist/ui: from the stage that runs `npm run build`, whose script builds the UI.
    const build = stage(runtimeCopies.find((c) => c.sources.some((s) => s.endsWith("/dist/ui")))?.from ?? null);
    expect(build?.body.some((i) => i.op === "RUN" && /npm run build\b/.test(i.args))).toBe(true);
    expect((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.build).toMatch(
      /tsc -p tsconfig\.build\.json && node scripts\/bundle\.mjs && vite build --config ui\/vite\.config\.ts/,
    );
    expect(read("ui/vite.config.ts")).toContain('new URL("../dist/ui", import.meta.url)');
    // src/cli/api-deps.ts serves <package root>/dist/ui; bin/baton.js runs <package root>/dist/src/cli/main.js.
    expect(read("src/cli/api-deps.ts")).toContain('join(root, "dist", "ui")');
    // Where a source lands: inside the destination when it names a folder (`./`, `dir/`), else at it.
    const copiedTo = (suffix: string) =>
      runtimeCopies.flatMap((c) =>
        c.sources
          .filter((s) => s === suffix || s.endsWith(`/${suffix}`))
          .map((s) => (/(^\.|\/)$/.test(c.dest) ? posix.join(dest(c.dest), posix.basename(s)) : dest(c.dest))),
      );
    expect(copiedTo("dist/ui")).toEqual([dest("dist/ui")]);
    expect(copiedTo("dist/src")).toEqual([dest("dist/src")]);
    expect(copiedTo("bin")).toEqual([dest("bin")]);
    // package.json: "type": "module" for dist/, and the version the server reports.
    expect(copiedTo("package.json")).toEqual([dest("package.json")]);
    // The OpenAPI document the server serves, where src/api/openapi.ts looks: beside package.json.
    expect(read("src/api/openapi.ts")).toContain('OPENAPI_FILE = "docs/openapi.json"');
    expect(copiedTo("docs/openapi.json")).toEqual([dest("docs/openapi.json")]);
  });

  it("every stage that runs `npm ci` has copied the file the package's postinstall runs before it", () => {
    const postinstall = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.postinstall ?? "";
    const [, script] = /^node (\S+)$/.exec(postinstall) ?? [];
    expect(script, "postinstall is `node <file>`").toBeDefined();
    const installing = stages.filter((st) => st.body.some((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args)));
    expect(installing.length).toBeGreaterThanOrEqual(2);
    for (const st of installing) {
      const ci = st.body.findIndex((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args));
      const copied = st.body
        .slice(0, ci)
        .filter((i) => i.op === "COPY")
        .map((i) => copyOf(i.args))
        .some((c) => c.from === null && c.sources.includes(script!));
      expect(copied, `stage ${st.name ?? "?"} copies ${script} before npm ci`).toBe(true);
    }
  });

  it("starts `node bin/baton.js` from the package root, with a HEALTHCHECK script the image holds", () => {
    expect(ENTRYPOINT).toEqual(["node", "bin/baton.js"]);
    const health = lastOf(runtime, "HEALTHCHECK")?.args ?? "";
    const [, json = "[]"] = /\bCMD\s+(\[.*\])\s*$/.exec(health) ?? [];
    const cmd = JSON.parse(json) as string[];
    expect(cmd[0]).toBe("node");
    expect(runtimeCopies.some((c) => dest(c.dest) === dest(cmd[1] ?? "-"))).toBe(true);
  });

  it(".dockerignore lets in every file the Dockerfile copies from the build context", () => {
    const patterns = read(".dockerignore")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => ({ exclude: !l.startsWith("!"), re: globToRegExp(l.replace(/^!/, "")) }));
    /** Docker's rule: the last pattern matching the path or one of its parent folders wins. */
    const ignored = (path: string) => {
      const prefixes = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
      let out = false;
      for (const p of patterns) if (prefixes.some((x) => p.re.test(x))) out = p.exclude;
      return out;
    };
    const fromContext = stages.flatMap((s) => s.body.filter((i) => i.op === "COPY").map((i) => copyOf(i.args))).filter((c) => c.from === null);
    expect(fromContext.length).toBeGreaterThan(3);
    for (const source of fromContext.flatMap((c) => c.sources)) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(ignored(source), `${source} is let in by .dockerignore`).toBe(false);
    }
    expect(ignored("node_modules"), "node_modules stays out").toBe(true);
    expect(ignored("src/cli/main.ts")).toBe(false);
    expect(ignored("test/deploy-files.test.ts")).toBe(true);
  });

  it("every package the server's bundled code imports is a production dependency or an optional peer dependency, and the image installs both", () => {
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
    // What `npm run build` bundled (scripts/bundle.mjs writes esbuild's metafile): the imports left to node_modules at run time.
    const metaFile = join(ROOT, "dist", "src", "_chunks", "meta.json");
    expect(existsSync(metaFile), "run `npm run build` first").toBe(true);
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as { outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }> };
    const builtins = new Set(builtinModules);
    // Required by bundled libraries only inside a try (pg's `native`, ws's optional speed-ups).
    const optionalRequires = new Set(["pg-native", "bufferutil", "utf-8-validate"]);
    const missing = new Set<string>();
    for (const [file, output] of Object.entries(meta.outputs)) {
      for (const i of output.imports) {
        if (i.external !== true || i.path.startsWith("node:") || builtins.has(i.path)) continue;
        const name = i.path.startsWith("@") ? i.path.split("/").slice(0, 2).join("/") : (i.path.split("/")[0] ?? i.path);
        if (optionalRequires.has(name) && i.kind === "require-call") continue;
        if (!(name in pkg.dependencies) && !(name in pkg.peerDependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
    // The image is batteries-included: its production install adds every optional peer (integrations, tracing).
    const modules = stages.find((s) => s.name === runtimeCopies.find((c) => c.sources.some((x) => x.endsWith("/node_modules")))?.from);
    expect(modules?.body.some((i) => i.op === "RUN" && /npm ci\b[^&]*--omit=dev[\s\S]*npm install\b[\s\S]*peerDependencies/.test(i.args))).toBe(true);
  });
});

/** A .dockerignore pattern (Go's filepath.Match plus `**`) as a regular expression over a relative path. */
function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re.replace(/^\/+/, "")}$`);
}

// ---- compose.yaml --------------------------------------------------------------------------------

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  profiles?: string[];
  stop_grace_period?: string;
}

const composeText = read("compose.yaml");
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const batonImage = Object.values(services).find((s) => s.build !== undefined)?.image;
/** Services that run the Baton image. */
const batonServices = Object.entries(services).filter(([, s]) => s.build !== undefined || (batonImage !== undefined && s.image === batonImage));
const words = (v: string[] | string | undefined) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : v.split(/\s+/).filter((w) => w !== ""));
/** A Baton service's `baton` arguments (after `node bin/baton.js`). */
function argvOf(s: Service): string[] {
  const entry = s.entrypoint === undefined ? ENTRYPOINT : words(s.entrypoint);
  expect(entry, "Baton services keep the image's entrypoint").toEqual(ENTRYPOINT);
  return s.command === undefined ? jsonArgs(lastOf(runtime, "CMD")) : words(s.command);
}
const envOf = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((e) => [e.split("=")[0] ?? e, e.slice(e.indexOf("=") + 1)]))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
const running = (command: string) => batonServices.filter(([, s]) => argvOf(s)[0] === command);
const dependsOn = (s: Service) =>
  (Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, {}])) : (s.depends_on ?? {})) as Record<string, { condition?: string }>;
const seconds = (d: string | undefined) => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d ?? "");
  return m && d ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 10; // Docker's default: 10 s
};
const optionValue = (argv: string[], flag: string) => {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
};

describe("compose.yaml", () => {
  it("runs PostgreSQL 15 with a healthcheck and a volume, a one-shot migrate, two schedulers, one API server and two workers", () => {
    const db = services.db as Service;
    expect(db.image).toMatch(/^postgres:15\b/);
    expect(words(db.healthcheck?.test).join(" ")).toContain("pg_isready");
    const dataVolume = db.volumes?.find((v) => v.endsWith(":/var/lib/postgresql/data"))?.split(":")[0];
    expect(dataVolume !== undefined && dataVolume in (compose.volumes ?? {}), "a named volume holds the data").toBe(true);
    expect(running("db").map(([name, s]) => [name, argvOf(s)])).toEqual([["migrate", ["db", "migrate"]]]);
    expect(running("scheduler")).toHaveLength(2);
    expect(running("api")).toHaveLength(1);
    expect(running("worker")).toHaveLength(2);
  });

  it("starts in order: db healthy, then migrate done, then schedulers and the API; workers once the API is healthy", () => {
    expect(dependsOn(services.migrate as Service).db?.condition).toBe("service_healthy");
    for (const [name, s] of [...running("scheduler"), ...running("api")]) expect(dependsOn(s).migrate?.condition, name).toBe("service_completed_successfully");
    for (const [name, s] of running("worker")) expect(dependsOn(s).api?.condition, name).toBe("service_healthy");
    // The API's health comes from the image's HEALTHCHECK (GET /api/v1/health) unless the service sets its own.
    const api = running("api")[0]?.[1] as Service;
    expect(api.healthcheck === undefined || words(api.healthcheck.test).join(" ").includes("/api/v1/health")).toBe(true);
  });

  it("the API listens on every interface of its container, on the published port the workers use", () => {
    const [name, api] = running("api")[0] as [string, Service];
    const argv = argvOf(api);
    expect(optionValue(argv, "--host")).toBe("0.0.0.0");
    const port = optionValue(argv, "--port") ?? "8080";
    expect(api.ports?.some((p) => p.endsWith(`:${port}`))).toBe(true);
    for (const [, w] of running("worker")) expect(optionValue(argvOf(w), "--server")).toBe(`http://${name}:${port}`);
  });

  it("the API and every scheduler share the attempt logs at $BATON_HOME/logs; schedulers read their --dags mount", () => {
    const logs = `${runtimeEnv.get("BATON_HOME")}/logs`;
    const logVolume = (s: Service) => s.volumes?.find((v) => v.split(":")[1] === logs)?.split(":")[0];
    const named = [...running("api"), ...running("scheduler")].map(([, s]) => logVolume(s));
    expect(new Set(named).size).toBe(1);
    expect(named[0] !== undefined && compose.volumes !== undefined && named[0] in compose.volumes).toBe(true);
    for (const [name, s] of running("scheduler")) {
      const dags = optionValue(argvOf(s), "--dags");
      expect(
        s.volumes?.some((v) => v.split(":")[1] === dags),
        `${name} mounts ${dags}`,
      ).toBe(true);
    }
  });

  it("processes on the database share its URL and secret key; workers get neither, and their token comes from the environment, not argv", () => {
    const onDb = batonServices.filter(([, s]) => argvOf(s)[0] !== "worker");
    for (const key of ["BATON_DATABASE_URL", "BATON_SECRET_KEY"]) {
      const values = new Set(onDb.map(([, s]) => envOf(s)[key]));
      expect(values.size, key).toBe(1);
      expect([...values][0], key).toMatch(/\$\{/); // from .env, not written here
    }
    expect(envOf(services.migrate as Service).BATON_DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@db:5432\//);
    for (const [name, s] of running("worker")) {
      expect(
        Object.keys(envOf(s)).filter((k) => k === "BATON_DATABASE_URL" || k === "BATON_SECRET_KEY"),
        name,
      ).toEqual([]);
      expect(envOf(s).BATON_WORKER_TOKEN, name).toMatch(/^\$\{BATON_WORKER_TOKEN/);
      expect(argvOf(s), name).not.toContain("--token");
    }
  });

  it("gives schedulers and workers longer to stop than their grace period for running tasks", () => {
    for (const [name, s] of running("scheduler"))
      expect(seconds(s.stop_grace_period), name).toBeGreaterThan(Number(envOf(s).BATON_SHUTDOWN_GRACE_MS ?? 30_000) / 1000);
    for (const [name, s] of running("worker")) expect(seconds(s.stop_grace_period), name).toBeGreaterThan(Number(optionValue(argvOf(s), "--grace") ?? 30));
  });

  it("every variable it sets for a Baton container, and the image's, is one Baton reads", () => {
    const known = readVariables();
    const names = new Set([...batonServices.flatMap(([, s]) => Object.keys(envOf(s))), ...runtimeEnv.keys()]);
    // The commented-out proxy settings are real variables too.
    for (const m of composeText.matchAll(/^\s*#\s*(BATON_[A-Z0-9_]+):/gm)) names.add(m[1] ?? "");
    expect(names.size).toBeGreaterThan(5);
    const unknown = [...names].filter((n) => !known.names.has(n) && !known.prefixes.some((p) => n.startsWith(p)));
    expect(unknown).toEqual([]);
  });
});

/** The variables src/config reads (it is the only reader of the environment), and the prefixes it reads by. */
function readVariables(): { names: Set<string>; prefixes: string[] } {
  const dir = join(ROOT, "src", "config");
  const text = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  const names = new Set([...text.matchAll(/(?<=[.'"`[])((?:BATON|OTEL|OPENLINEAGE)_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1] ?? ""));
  const prefixes = [...new Set([...text.matchAll(/["'`]((?:BATON)_[A-Z]+_)["'`]/g)].map((m) => m[1] ?? ""))];
  return { names, prefixes };
}

// ---- every `baton` command used, against the real CLI -----------------------------------------------

function baton(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BATON, ...args],
      { cwd: work, env: { PATH: process.env.PATH, HOME: work, BATON_HOME: join(work, "home") }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out: stdout + stderr });
      },
    );
  });
}

/** The words of an argv that are neither flags nor a flag's value (every flag used here takes one, but --worker). */
function positionals(argv: readonly string[]): string[] {
  const boolean = new Set(["--worker", "--json", "--help"]);
  return argv.filter((a, i) => !a.startsWith("-") && !(argv[i - 1]?.startsWith("--") === true && !boolean.has(argv[i - 1] as string)));
}

/** `docker compose run --rm [-T] cli <args>` in compose.yaml's comments and docs/deploy.md. */
function documentedCliRuns(): { where: string; argv: string[] }[] {
  const out: { where: string; argv: string[] }[] = [];
  for (const file of ["compose.yaml", "docs/deploy.md"]) {
    for (const m of read(file).matchAll(/docker compose run --rm (?:-T )?cli ([^\n`)"#|]+)/g)) {
      const argv = words(m[1]?.trim());
      // `cli <command>` and `cli …` are placeholders; `<id>` as an argument is checked like any other.
      if (/^[a-z]/.test(argv[0] ?? "")) out.push({ where: file, argv });
    }
  }
  return out;
}

describe("the `baton` commands in the deployment files", () => {
  // Each distinct argv once, named after the first place that uses it.
  const invocations = [
    ...batonServices.map(([name, s]) => ({ where: `compose.yaml ${name}`, argv: argvOf(s) })),
    { where: "Dockerfile CMD", argv: jsonArgs(lastOf(runtime, "CMD")) },
    ...documentedCliRuns(),
  ].filter((inv, i, all) => all.findIndex((o) => o.argv.join(" ") === inv.argv.join(" ")) === i);

  it("names them", () => {
    const commands = invocations.map((i) => positionals(i.argv).slice(0, 2).join(" "));
    for (const expected of ["db migrate", "scheduler", "api", "worker", "users create", "tokens create", "standalone"]) expect(commands).toContain(expected);
  });

  // One run each: `baton <argv> --help` prints the help of the command the argv names (the
  // program's own when it names none), after commander has checked the values (e.g. --workers 0).
  it.concurrent.for(invocations.map((i) => [`${i.where}: baton ${i.argv.join(" ")}`, [...i.argv]] as const))(
    "%s: the command exists, takes every flag, and accepts the values",
    async ([, argv], { expect }) => {
      const r = await baton([...argv, "--help"]);
      expect(r.code, r.out).toBe(0);
      const usage = /^Usage: baton (.*)$/m.exec(r.out)?.[1] ?? "";
      const path = usage.slice(0, usage.indexOf("[options]")).trim();
      expect(path, `the help shown is that of "baton ${positionals(argv).slice(0, 2).join(" ")}"`).toBe(
        positionals(argv)
          .slice(0, path.split(" ").filter((w) => w !== "").length)
          .join(" "),
      );
      if (positionals(argv).length > 0) expect(path, "a command, not the program's help").not.toBe("");
      // A group's help (`baton tokens`) for `baton tokens creat`: the second word is no command of it.
      if (usage.endsWith("[command]")) expect(positionals(argv), "no command of the group").toHaveLength(path.split(" ").filter((w) => w !== "").length);
      for (const flag of argv.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0] ?? a)) {
        expect(r.out, `baton ${path} has ${flag}`).toMatch(new RegExp(`^\\s+(?:-\\w, )?${flag}\\b`, "m"));
      }
    },
  );
});

// ---- the image's healthcheck ------------------------------------------------------------------------

describe("deploy/docker/healthcheck.mjs", () => {
  const probe = probeUrl as (args: string[], env: Record<string, string>) => string | null;

  it("asks the API's health endpoint, a scheduler's metrics port, and nothing of a worker", () => {
    expect(batonArgs(["node", "bin/baton.js", "api", "--port", "9"])).toEqual(["api", "--port", "9"]);
    expect(batonArgs(["node", "/app/deploy/docker/healthcheck.mjs"])).toBeNull();
    expect(probe(["api", "--host", "0.0.0.0", "--port", "8080"], {})).toBe("http://127.0.0.1:8080/api/v1/health");
    expect(probe(["--home", "/h", "standalone", "--auth", "required", "--host=::"], { BATON_API_PORT: "9000" })).toBe("http://127.0.0.1:9000/api/v1/health");
    expect(probe(["api"], { BATON_API_HOST: "10.1.2.3" })).toBe("http://10.1.2.3:8080/api/v1/health");
    expect(probe(["scheduler", "--dags", "/dags", "--workers", "0", "--metrics-port", "9464"], { BATON_METRICS_HOST: "0.0.0.0" })).toBe(
      "http://127.0.0.1:9464/metrics",
    );
    expect(probe(["scheduler", "--dags", "/dags"], {})).toBeNull();
    expect(probe(["worker", "--server", "http://api:8080", "--queues", "default,gpu"], {})).toBeNull();
    // Each compose service's command gives the probe its healthcheck needs.
    for (const [name, s] of [...running("api"), ...running("scheduler")]) expect(probe(argvOf(s), envOf(s)), name).not.toBeNull();
  });

  const procAbsent = !existsSync("/proc/self/cmdline");
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) await new Promise((r) => (c.once("exit", r), c.kill("SIGTERM")));
  });

  function check(pid: number): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [HEALTHCHECK, "--pid", String(pid)], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out: stdout + stderr });
      });
    });
  }

  it("passes for a running `baton api` and fails for a baton process that does not answer", async (t) => {
    if (procAbsent) {
      console.warn("skipped: /proc is absent, and the healthcheck reads the process's command line there (Linux containers only)");
      t.skip();
      return;
    }
    const port = await freePort();
    const api = spawn(process.execPath, [BATON, "api", "--host", "127.0.0.1", "--port", String(port)], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work, BATON_HOME: join(work, "api-home") },
      stdio: "ignore",
    });
    children.push(api);
    const deadline = Date.now() + 30_000;
    let result = await check(api.pid as number);
    while (result.code !== 0 && Date.now() < deadline && api.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
      result = await check(api.pid as number);
    }
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain(`http://127.0.0.1:${port}/api/v1/health: 200`);

    // A process whose command line says `bin/baton.js api` on a port where nothing listens.
    const closed = await freePort();
    const silent = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", BATON, "api", "--port", String(closed)], { stdio: "ignore" });
    children.push(silent);
    const refused = await check(silent.pid as number);
    expect(refused.code, refused.out).toBe(1);
    expect(refused.out).toContain(`unhealthy: http://127.0.0.1:${closed}/api/v1/health`);
    // No baton process at that pid at all.
    const none = await check(process.pid);
    expect(none.code).toBe(1);
  });
});
