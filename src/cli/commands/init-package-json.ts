import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The dev dependencies a new project gets, with the ranges of Baton's own package.json (kept in sync by reading it). */
export const PROJECT_DEV_DEPENDENCIES = ["typescript", "vitest", "@types/node"] as const;

export const PROJECT_SCRIPTS = {
  start: "baton standalone --dags dags",
  test: "vitest run",
  check: "baton dags check --dags dags",
} as const;

export interface BatonPackage {
  /** The folder holding Baton's package.json (and `templates/`, `dist/`). */
  root: string;
  devDependencies: Record<string, string>;
}

/** Baton's own package.json: the nearest one named "baton" above this file (src/… or dist/src/…). */
export function batonPackage(): BatonPackage {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; devDependencies?: Record<string, string> };
    if (pkg.name === "baton") return { root: dir, devDependencies: pkg.devDependencies ?? {} };
  }
  throw new Error(`Baton's package.json was not found above ${fileURLToPath(import.meta.url)}`);
}

/** An npm package name made from a folder name ("My Pipelines" → "my-pipelines"); never "baton", which npm would refuse beside the dependency. */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._~-]+/, "")
    .replace(/-+$/, "")
    .slice(0, 214);
  return name === "" || name === "baton" ? "baton-project" : name;
}

/** The package.json of a new project. */
export function projectPackageJson(name: string, batonVersion: string, ours: BatonPackage): Record<string, unknown> {
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: { ...PROJECT_SCRIPTS },
    dependencies: { baton: `^${batonVersion}` },
    devDependencies: devDependencyRanges(ours),
  };
}

function devDependencyRanges(ours: BatonPackage): Record<string, string> {
  const ranges: Record<string, string> = {};
  for (const dep of PROJECT_DEV_DEPENDENCIES) {
    const range = ours.devDependencies[dep];
    if (range === undefined) throw new Error(`Baton's package.json at ${ours.root} has no devDependencies.${dep}`);
    ranges[dep] = range;
  }
  return ranges;
}

export interface PackageJsonMerge {
  merged: Record<string, unknown>;
  /** Keys added, as `scripts.check`, `devDependencies.vitest`. */
  added: string[];
  /** Keys the user already has with another value, kept: `scripts.test` … */
  kept: { key: string; theirs: unknown; ours: string }[];
}

/**
 * Adds to an existing package.json what of `wanted` it lacks: `"type": "module"` when it has no
 * `type` (the template files are ES modules; without it TypeScript reads them as CommonJS), the
 * scripts and the dependencies. Nothing else: the user's values win (a `"type": "commonjs"`
 * included), and a package already in dependencies or devDependencies is left where it is.
 */
export function mergePackageJson(existing: Record<string, unknown>, wanted: Record<string, unknown>): PackageJsonMerge {
  const merged: Record<string, unknown> = { ...existing };
  const added: string[] = [];
  const kept: PackageJsonMerge["kept"] = [];
  if (!("type" in merged)) {
    merged["type"] = wanted["type"];
    added.push("type");
  } else if (merged["type"] !== wanted["type"]) kept.push({ key: "type", theirs: merged["type"], ours: String(wanted["type"]) });
  const section = (key: string): Record<string, unknown> => {
    const value = merged[key];
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  };
  const installed = (dep: string) => dep in section("dependencies") || dep in section("devDependencies");
  for (const key of ["scripts", "dependencies", "devDependencies"]) {
    const target = { ...section(key) };
    for (const [name, value] of Object.entries(wanted[key] as Record<string, string>)) {
      if (key === "scripts" ? name in target : installed(name)) {
        const theirs = key === "scripts" ? target[name] : (section("dependencies")[name] ?? section("devDependencies")[name]);
        if (theirs !== value) kept.push({ key: `${key}.${name}`, theirs, ours: value });
        continue;
      }
      target[name] = value;
      added.push(`${key}.${name}`);
    }
    if (Object.keys(target).length > 0 || key in merged) merged[key] = target;
  }
  return { merged, added, kept };
}
