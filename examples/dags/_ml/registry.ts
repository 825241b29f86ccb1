// The model registry of the ml_train_deploy example: one JSON file naming the deployed model and
// its metric, plus the history of deployments. Written atomically (temp file, then rename), so a
// reader never sees half a registry. Folders starting with "_" are not scanned for DAGs.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface Deployment {
  version: number;
  path: string;
  auc: number;
  accuracy: number;
  logLoss: number;
  ds: string;
  runId: string;
  deployedAt: string;
}

export interface Registry {
  current: Deployment | null;
  history: Deployment[];
}

export function registryPath(modelsDir: string): string {
  return join(modelsDir, "registry.json");
}

export async function readRegistry(modelsDir: string): Promise<Registry> {
  const path = registryPath(modelsDir);
  if (!existsSync(path)) return { current: null, history: [] };
  return JSON.parse(await readFile(path, "utf8")) as Registry;
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}
