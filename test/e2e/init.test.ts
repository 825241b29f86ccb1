// `baton init [dir]`: the real binary writes a project; the project's example DAG loads, runs and
// type-checks against this checkout. No npm install here: a project's node_modules is made of
// symlinks into this repository (the packed-and-installed project is tested elsewhere).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT, baton, batonJson } from "./baton-cli.js";

const ours = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
  exports: Record<string, unknown>;
};
const PROJECT_FILES = [".gitignore", "README.md", "dags/example.ts", "package.json", "test/example.test.ts", "tsconfig.json"];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "baton-init-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <file> args` in `cwd`, without the variables of the vitest running this file. */
function runIn(cwd: string, file: string, args: string[]): Promise<Run> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_ENV" && k !== "FORCE_COLOR")),
    NO_COLOR: "1",
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under `dir` (node_modules and .baton aside) → its text and mtime. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === ".baton") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(relative(dir, p).split("\\").join("/"), `${statSync(p).mtimeMs} ${readFileSync(p, "utf8")}`);
    }
  };
  walk(dir);
  return files;
}

/** node_modules of a project as `npm install` would lay it out, as symlinks into this checkout. */
function linkNodeModules(project: string): void {
  mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
  symlinkSync(ROOT, join(project, "node_modules", "baton"), "dir");
  for (const dep of ["typescript", "vitest", "@types/node"]) symlinkSync(join(ROOT, "node_modules", dep), join(project, "node_modules", dep), "dir");
}

describe("baton init", () => {
  let project: string;
  let first: Run;

  beforeAll(async () => {
    project = join(tmp, "new", "My Pipelines");
    first = await baton(["init", project]);
  });

  it("creates the folder and the project files, and prints the next steps", () => {
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect([...snapshot(project).keys()].sort()).toEqual(PROJECT_FILES);
    for (const file of PROJECT_FILES) expect(first.stdout).toContain(`created  ${file}`);
    expect(first.stdout).toContain(`cd ${JSON.stringify(project)}`);
    expect(first.stdout).toMatch(/npm install\n\s+npm start .*\n\s+npm test /);
    const ignored = readFileSync(join(project, ".gitignore"), "utf8").split("\n");
    expect(ignored).toContain("node_modules/");
    expect(ignored).toContain(".baton/");
    expect(readFileSync(join(project, "README.md"), "utf8")).toMatch(/^# my-pipelines\n/);
  });

  it("writes a package.json with the running Baton's version and our own dev dependency ranges", async () => {
    const version = (await baton(["--version"])).stdout.trim();
    expect(version).toBe(ours.version);
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: "my-pipelines", private: true, type: "module" });
    expect(pkg["scripts"]).toEqual({ start: "baton standalone --dags dags", test: "vitest run", check: "baton dags check --dags dags" });
    expect(pkg["dependencies"]).toEqual({ baton: `^${version}` });
    // The same ranges as ours, so a project's install is satisfied by our lockfile (and the npm cache of CI).
    const { typescript, vitest, "@types/node": typesNode } = ours.devDependencies;
    expect(pkg["devDependencies"]).toEqual({ typescript, vitest, "@types/node": typesNode });
    expect(typescript && vitest && typesNode).toBeTruthy();
  });

  it("gives an example DAG that loads and runs with baton dags test", async () => {
    const r = await baton(["dags", "test", "example_etl", "--dags", join(project, "dags"), "--json"], { BATON_HOME: join(tmp, "dags-test-home") });
    expect(r.code, r.stderr).toBe(0);
    const result = batonJson<{ state: string; tasks: { taskId: string; state: string }[] }>(r);
    expect(result.state).toBe("success");
    expect(result.tasks.map((t) => [t.taskId, t.state])).toEqual([
      ["extract", "success"],
      ["transform", "success"],
      ["load", "success"],
    ]);
  }, 120_000);

  it("gives DAG files that type-check with the project's tsconfig (baton dags check)", async () => {
    const checked = join(tmp, "checked");
    expect((await baton(["init", checked])).code).toBe(0);
    linkNodeModules(checked);
    const r = await runIn(checked, BIN, ["dags", "check", "--dags", "dags"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("No type errors in 1 DAG file(s) (compiler options of tsconfig.json)");
    expect(r.code).toBe(0);
  }, 180_000);

  const hasTesting = "./testing" in ours.exports;
  const whenTesting = hasTesting ? "" : " (skipped: package.json does not export ./testing yet)";

  it.skipIf(!hasTesting)(
    `gives a project whose tsc and vitest pass, test included${whenTesting}`,
    async () => {
      const built = join(tmp, "tested");
      expect((await baton(["init", built])).code).toBe(0);
      linkNodeModules(built);
      const tsc = await runIn(built, join(ROOT, "node_modules", "typescript", "bin", "tsc"), ["-p", "."]);
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.code).toBe(0);
      const vitest = await runIn(built, join(ROOT, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=verbose"]);
      expect(vitest.code, vitest.stdout + vitest.stderr).toBe(0);
      expect(vitest.stdout).toMatch(/Tests\s+2 passed/);
    },
    180_000,
  );

  it("skips every existing file on a second run and changes nothing", async () => {
    const before = snapshot(project);
    const again = await baton(["init", project]);
    expect(again.code).toBe(0);
    expect(snapshot(project)).toEqual(before);
    expect(again.stdout).toContain("skipped  package.json (already has Baton's scripts and dependencies)");
    for (const file of PROJECT_FILES.filter((f) => f !== "package.json")) expect(again.stdout).toContain(`skipped  ${file} (already there)`);
    expect(again.stdout).not.toContain("created");
  });

  it("defaults to the current folder", async () => {
    const here = join(tmp, "here");
    mkdirSync(here);
    const r = await runIn(here, BIN, ["init"]);
    expect(r.code, r.stderr).toBe(0);
    expect([...snapshot(here).keys()].sort()).toEqual(PROJECT_FILES);
    expect(r.stdout).not.toContain("cd ");
    expect(JSON.parse(readFileSync(join(here, "package.json"), "utf8"))).toMatchObject({ name: "here" });
  });
});

// The tests of the blocks below use folders of their own: they run at once.
describe.concurrent("baton init into an existing project", () => {
  it("adds only the missing scripts and dependencies to package.json, keeping the user's, and skips existing files", async () => {
    const dir = join(tmp, "existing");
    mkdirSync(join(dir, "dags"), { recursive: true });
    const theirs = {
      name: "mine",
      version: "2.0.0",
      description: "my project",
      scripts: { test: "jest", build: "tsc" },
      dependencies: { lodash: "^4.17.0" },
      devDependencies: { typescript: "~5.4.0" },
    };
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(theirs, null, 4)}\n`);
    writeFileSync(join(dir, "dags", "example.ts"), "// mine\n");

    const r = await baton(["init", dir]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, "package.json"), "utf8");
    expect(text).toMatch(/^\{\n {4}"name": "mine",/);
    expect(JSON.parse(text)).toEqual({
      ...theirs,
      type: "module",
      scripts: { test: "jest", build: "tsc", start: "baton standalone --dags dags", check: "baton dags check --dags dags" },
      dependencies: { lodash: "^4.17.0", baton: `^${ours.version}` },
      devDependencies: { typescript: "~5.4.0", vitest: ours.devDependencies["vitest"], "@types/node": ours.devDependencies["@types/node"] },
    });
    expect(readFileSync(join(dir, "dags", "example.ts"), "utf8")).toBe("// mine\n");
    expect(r.stdout).toContain(
      "updated  package.json: added type, scripts.start, scripts.check, dependencies.baton, devDependencies.vitest, devDependencies.@types/node",
    );
    expect(r.stdout).toContain('kept     your scripts.test "jest" (Baton\'s would be "vitest run")');
    expect(r.stdout).toContain('kept     your devDependencies.typescript "~5.4.0"');
    expect(r.stdout).toContain("skipped  dags/example.ts (already there)");
    expect(r.stdout).not.toContain("note");
    expect(r.stdout).toContain("created  tsconfig.json");
  });

  it('keeps a "type": "commonjs", saying what it means for the example files', async () => {
    const dir = join(tmp, "commonjs");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cjs", type: "commonjs" }));
    const r = await baton(["init", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toMatchObject({ name: "cjs", type: "commonjs" });
    expect(r.stdout).toContain('kept     your type "commonjs" (Baton\'s would be "module")');
    expect(r.stdout).toContain('note     the example files are ES modules, but package.json says "type": "commonjs"');
  });
});

describe.concurrent("baton init refuses bad input with exit 2 and writes nothing", () => {
  it("when dir is a file", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    const r = await baton(["init", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${file} is a file, not a folder`);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("when package.json is not valid JSON", async () => {
    const dir = join(tmp, "broken-json");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), "{ nope");
    const r = await baton(["init", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package\.json is not valid JSON .*fix or remove it/);
    expect(readdirSync(dir)).toEqual(["package.json"]);
  });

  it("when a folder it writes into is a file", async () => {
    const dir = join(tmp, "dags-is-a-file");
    mkdirSync(dir);
    writeFileSync(join(dir, "dags"), "");
    const r = await baton(["init", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "dags")} is a file`);
    expect(readdirSync(dir)).toEqual(["dags"]);
    expect(existsSync(join(dir, "package.json"))).toBe(false);
  });
});
