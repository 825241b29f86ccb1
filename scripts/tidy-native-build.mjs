// `postinstall` of the package (issue 13, install size). Where better-sqlite3 finds no prebuilt
// binary to download (an uncommon platform, or no access to GitHub), it compiles its addon with
// node-gyp, which leaves ~15 MB of object files beside the 2 MB addon. They are not needed at run
// time (`npm rebuild better-sqlite3` compiles from the sources again), so this removes them and
// keeps the addon. It never fails an install: anything unexpected leaves the folder as it is.
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** node-gyp's intermediate files in `build/Release/`; the addon itself is `better_sqlite3.node`. */
export const INTERMEDIATES = ["obj", "obj.target", ".deps", "sqlite3.a", "test_extension.node"];

/** Removes the intermediates of a compiled better-sqlite3 at `packageDir`; returns the names removed. */
export function tidySqliteBuild(packageDir) {
  const release = join(packageDir, "build", "Release");
  if (!existsSync(join(release, "better_sqlite3.node"))) return [];
  const removed = INTERMEDIATES.filter((name) => existsSync(join(release, name)));
  for (const name of removed) rmSync(join(release, name), { recursive: true, force: true });
  return removed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const require = createRequire(import.meta.url);
    tidySqliteBuild(dirname(require.resolve("better-sqlite3/package.json")));
  } catch {
    // better-sqlite3 not resolvable from here, or a file in use: nothing to tidy.
  }
}
