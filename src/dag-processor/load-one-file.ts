import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { DagVersionRecord, ImportErrorRecord } from "../core/model/records.js";
import { validateDagSpec } from "../core/graph/validate-dag-spec.js";
import { isDagDefinition, type DagDefinition } from "../sdk/definition.js";
import { bundleDagFile } from "./bundle-dag-file.js";
import { importErrorOf } from "./import-errors.js";
import { fileError, type LoadResult } from "./load-result.js";

/**
 * Loads one DAG file in this (child) process: bundle, write `${bundleDir}/${sha256}.mjs`, import,
 * serialize and validate every exported DAG. Never throws: failures are import errors.
 */
export async function loadOneFile(file: string, bundleDir: string): Promise<LoadResult> {
  const errors: ImportErrorRecord[] = [];
  const dags: DagVersionRecord[] = [];
  let inputs: string[] | undefined;
  try {
    const source = await readFile(file, "utf8");
    const bundled = await bundleDagFile(file, bundleDir);
    if (!bundled.ok) {
      for (const m of bundled.errors) {
        const inFile = m.file === file;
        const where = m.file && !inFile ? ` (in ${relative(process.cwd(), m.file)}:${m.line ?? "?"}:${m.column ?? "?"})` : "";
        const snippet = m.lineText ? `\n    ${m.lineText.trim()}` : "";
        errors.push(fileError(file, `${m.text}${where}${snippet}`, inFile ? m.line : null, inFile ? m.column : null));
      }
      return { file, dags, errors };
    }
    inputs = bundled.inputs;
    const hash = sha256(bundled.code);
    const bundlePath = join(bundleDir, `${hash}.mjs`);
    await writeOnce(bundlePath, bundled.code);

    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
    } catch (e) {
      errors.push(importErrorOf(file, e));
      return { file, dags, errors, inputs };
    }

    const seen = new Map<string, DagDefinition>();
    for (const value of Object.values(module)) {
      if (!isDagDefinition(value)) continue;
      const other = seen.get(value.dagId);
      if (other === value) continue; // exported under two names
      if (other) {
        errors.push(fileError(file, `DAG id "${value.dagId}" is defined twice in this file; DAG ids must be unique`));
        continue;
      }
      seen.set(value.dagId, value);
      let spec;
      try {
        spec = { ...value.toSpec(), fileloc: file };
      } catch (e) {
        errors.push(importErrorOf(file, e));
        continue;
      }
      const problems = validateDagSpec(spec);
      if (problems.length > 0) {
        for (const p of problems) errors.push(importErrorOf(file, p));
        continue;
      }
      dags.push({
        versionHash: sha256(`${bundled.code}\0${spec.dagId}`),
        dagId: spec.dagId,
        spec,
        source,
        bundlePath,
        createdAt: Date.now(),
      });
    }
  } catch (e) {
    errors.push(importErrorOf(file, e));
  }
  return { file, dags, errors, ...(inputs ? { inputs } : {}) };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Content-addressed: an existing file already holds these bytes (its time is renewed: retention
 * keeps bundle files loaded within the last hour). Written atomically.
 */
async function writeOnce(path: string, text: string): Promise<void> {
  if (existsSync(path)) {
    const now = new Date();
    try {
      await utimes(path, now, now);
      return;
    } catch {
      /* deleted meanwhile: write it */
    }
  }
  await mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
