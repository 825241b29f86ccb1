import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_NODE_MODULES = fileURLToPath(new URL("../../node_modules", import.meta.url));

/** A temp project for DAG-processor tests: dags/, bundles/ and a node_modules with croner. */
export function tempProject(): { root: string; dagsDir: string; bundleDir: string; write: (name: string, text: string) => string } {
  const root = mkdtempSync(join(tmpdir(), "baton-dp-"));
  const dagsDir = join(root, "dags");
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync(join(REPO_NODE_MODULES, "croner"), join(root, "node_modules", "croner"));
  const write = (name: string, text: string): string => {
    const path = join(dagsDir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return { root, dagsDir, bundleDir: join(root, "bundles"), write };
}
