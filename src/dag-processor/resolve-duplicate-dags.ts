import { fileError, type LoadResult } from "./load-result.js";

/**
 * A DAG id may be defined by one file only. The owner keeps it: the file that held it before
 * (`owners`), else the first file in `results` order; every other file defining it loses it. All
 * files involved get an import error naming the others, so nobody misses the conflict.
 */
export function resolveDuplicateDags(results: LoadResult[], owners: ReadonlyMap<string, string> = new Map()): LoadResult[] {
  const filesById = new Map<string, string[]>();
  for (const r of results) {
    for (const d of r.dags) filesById.set(d.dagId, [...(filesById.get(d.dagId) ?? []), r.file]);
  }
  const ownerOf = new Map<string, string>();
  for (const [id, files] of filesById) {
    if (files.length < 2) continue;
    const previous = owners.get(id);
    ownerOf.set(id, previous !== undefined && files.includes(previous) ? previous : files[0]!);
  }
  if (ownerOf.size === 0) return results;
  return results.map((r) => {
    const errors = [...r.errors];
    const dags = r.dags.filter((d) => {
      const owner = ownerOf.get(d.dagId);
      if (owner === undefined) return true;
      const others = filesById.get(d.dagId)!.filter((f) => f !== r.file);
      if (owner === r.file) {
        errors.push(
          fileError(r.file, `DAG id "${d.dagId}" is also defined in ${others.join(", ")}; DAG ids must be unique across files, so that definition is ignored`),
        );
        return true;
      }
      errors.push(fileError(r.file, `DAG id "${d.dagId}" is already defined in ${owner}; DAG ids must be unique across files, so this definition is ignored`));
      return false;
    });
    return { file: r.file, dags, errors };
  });
}
