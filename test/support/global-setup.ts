import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest's global setup: every test file, and every process a test starts, gets one temporary
 * folder for the whole run (TMPDIR, which `os.tmpdir()` and mktemp read), removed at the end.
 * Tests make hundreds of scratch folders (DAG folders, SQLite files, worker logs); those that a
 * failing or killed test leaves behind no longer pile up in the machine's /tmp.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "baton-tests-"));
  process.env.TMPDIR = root;
  return () => {
    const left = readdirSync(root).length;
    rmSync(root, { recursive: true, force: true });
    if (process.env.BATON_REPORT_TEMP === "1") console.log(`test temp folder ${root}: removed ${left} entries left by tests`);
  };
}
