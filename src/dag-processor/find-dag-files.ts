import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const DAG_FILE = /\.(ts|mts|js|mjs)$/;
const IGNORED_FILE = /\.(test|spec)\.|\.d\.m?ts$/;

/**
 * DAG files under `dir`, recursively, as sorted absolute paths: *.ts, *.mts, *.js, *.mjs, except
 * node_modules, dotfiles and dot-folders, names starting with `_` (helpers), tests and *.d.ts.
 * A missing folder has no DAG files.
 */
export function findDagFiles(dir: string): string[] {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const found: string[] = [];
  walk(root, found);
  return found.sort();
}

function walk(dir: string, found: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (name.startsWith(".") || name.startsWith("_") || name === "node_modules") continue;
    const path = join(dir, name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const s = statSync(path);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) walk(path, found);
    else if (isFile && DAG_FILE.test(name) && !IGNORED_FILE.test(name)) found.push(path);
  }
}
