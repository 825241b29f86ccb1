import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { InvalidInputError } from "../../core/errors.js";
import { batonVersion } from "../baton-version.js";
import { EXIT } from "../output.js";
import { batonPackage, mergePackageJson, packageNameFor, projectPackageJson } from "./init-package-json.js";

/** Template files stored under another name because npm pack would drop or rename them. */
const STORED_AS: Record<string, string> = { gitignore: ".gitignore" };

interface PlannedFile {
  /** Path in the project, with `/` (`dags/example.ts`). */
  path: string;
  source: string;
}

/**
 * `baton init [dir]`: writes a ready project into `dir` (default the current folder, created if
 * missing) from `templates/init/` of this package, plus a package.json whose `baton` and dev
 * dependency ranges are this Baton's. Never overwrites a file: existing files are skipped and
 * listed, and an existing package.json only gains what it lacks (`type`, scripts, dependencies).
 * Exit 2, before writing anything, when `dir` is a file or package.json is not a JSON object.
 */
export async function init(dirArg: string | undefined, _opts: object): Promise<number> {
  const dir = resolve(dirArg ?? ".");
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new InvalidInputError(`${dirArg} is a file, not a folder: baton init [dir] writes a project into a folder (created if missing)`);
  }
  const version = batonVersion();
  if (version === "unknown") throw new Error("Baton's own version could not be read from its package.json");
  const ours = batonPackage();
  const templates = join(ours.root, "templates", "init");
  if (!existsSync(templates)) throw new Error(`Baton's project templates are missing (${templates}); reinstall baton`);
  const name = packageNameFor(basename(dir));
  const wanted = projectPackageJson(name, version, ours);
  const existingPackage = readPackageJson(join(dir, "package.json"));
  const files = templateFiles(templates, "").sort((a, b) => a.path.localeCompare(b.path));
  refuseBlockedFolders(dir, ["package.json", ...files.map((f) => f.path)]);

  const out: string[] = [];
  mkdirSync(dir, { recursive: true });
  if (existingPackage === null) {
    const written = writeNew(join(dir, "package.json"), `${JSON.stringify(wanted, null, 2)}\n`);
    out.push(written ? "  created  package.json" : "  skipped  package.json (already there, not a file)");
  } else {
    const { merged, added, kept } = mergePackageJson(existingPackage.value, wanted);
    if (added.length > 0) {
      writeFileSync(join(dir, "package.json"), `${JSON.stringify(merged, null, existingPackage.indent)}\n`);
      out.push(`  updated  package.json: added ${added.join(", ")}`);
    } else out.push("  skipped  package.json (already has Baton's scripts and dependencies)");
    for (const k of kept) out.push(`  kept     your ${k.key} ${JSON.stringify(k.theirs)} (Baton's would be ${JSON.stringify(k.ours)})`);
    if (merged["type"] !== "module")
      out.push(
        `  note     the example files are ES modules, but package.json says "type": ${JSON.stringify(merged["type"])}: TypeScript reports errors in them until it says "module" (or they are renamed to .mts)`,
      );
  }
  for (const file of files) {
    const target = join(dir, ...file.path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    const text = readFileSync(file.source, "utf8");
    const written = writeNew(target, file.path === "README.md" ? text.replaceAll("{{name}}", name) : text);
    out.push(written ? `  created  ${file.path}` : `  skipped  ${file.path} (already there)`);
  }

  const fromHere = relative(process.cwd(), dir);
  const shown = fromHere === "" ? "." : fromHere.startsWith("..") ? dir : fromHere;
  process.stdout.write(`Baton project "${name}" (baton ^${version}) in ${dir}:\n${out.join("\n")}\n\nNext steps:\n`);
  if (shown !== ".") process.stdout.write(`  cd ${/^[\w./-]+$/.test(shown) ? shown : JSON.stringify(shown)}\n`);
  process.stdout.write(
    [
      "  npm install",
      "  npm start       # Baton standalone: scheduler, workers, UI and API on http://127.0.0.1:8080",
      "  npm test        # the example DAG's test (vitest)",
      "  npm run check   # type-check the DAG files",
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}

/** The files under `templates/init/`, named as they are written (`gitignore` → `.gitignore`). */
function templateFiles(folder: string, prefix: string): PlannedFile[] {
  const files: PlannedFile[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const source = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...templateFiles(source, `${prefix}${entry.name}/`));
    else files.push({ path: `${prefix}${STORED_AS[entry.name] ?? entry.name}`, source });
  }
  return files;
}

/** The project's package.json parsed, with its indentation; null when there is none. */
function readPackageJson(file: string): { value: Record<string, unknown>; indent: string | number } | null {
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  const text = readFileSync(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${file} is not valid JSON (${(e as Error).message}); fix or remove it and run baton init again`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInputError(`${file} is not a JSON object; fix or remove it and run baton init again`);
  const indent = /^\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? 2;
  return { value: value as Record<string, unknown>, indent };
}

/** Exit 2 before writing anything when a folder a file goes into exists as a file (`dags` as a file). */
function refuseBlockedFolders(dir: string, paths: string[]): void {
  for (const path of paths) {
    const parts = path.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = join(dir, ...parts.slice(0, i));
      if (existsSync(folder) && !statSync(folder).isDirectory()) {
        throw new InvalidInputError(`${folder} is a file, but baton init writes ${path.split("/").join(sep)} inside it; move it away and run baton init again`);
      }
    }
  }
}

/** Writes a file that does not exist yet; false (and nothing written) when something is already there. */
function writeNew(file: string, text: string): boolean {
  try {
    writeFileSync(file, text, { flag: "wx" });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}
