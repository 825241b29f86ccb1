import { stat } from "node:fs/promises";

/**
 * `mtime:size` of files, each stat'ed at most once per scan (a helper module imported by many
 * DAG files is looked at once); `null` for a file that is not there.
 */
export class FileStats {
  private readonly seen = new Map<string, Promise<string | null>>();

  of(file: string): Promise<string | null> {
    let s = this.seen.get(file);
    if (!s) {
      s = stat(file).then(
        (st) => `${st.mtimeMs}:${st.size}`,
        () => null,
      );
      this.seen.set(file, s);
    }
    return s;
  }
}

/**
 * The stamp of a DAG file as loaded: `mtime:size` of the file and of every local module its
 * bundle was made of (`inputs`, from esbuild), so that editing a helper the file imports is a
 * change to the file. Packages (node_modules) are not bundled, hence not stamped: upgrading one
 * is not seen until the file itself changes (docs/authoring.md, "When DAG files are reloaded").
 */
export async function stampOf(file: string, inputs: readonly string[] | undefined, stats: FileStats): Promise<string> {
  const files = [...new Set([file, ...(inputs ?? [])])].sort();
  const parts = await Promise.all(files.map(async (f) => `${f}=${(await stats.of(f)) ?? "missing"}`));
  return parts.join("\n");
}
