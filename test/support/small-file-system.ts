import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A real, small file system (tmpfs) that tests can fill up. */
export interface SmallFileSystem {
  dir: string;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeKb` KiB on a new temporary folder, or says why it cannot (mounting
 * needs root, e.g. in a container; a user's laptop answers with the reason, for the skip).
 */
export function mountSmallFileSystem(sizeKb: number): SmallFileSystem | { cannot: string } {
  const dir = mkdtempSync(join(tmpdir(), "baton-small-fs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    return { cannot: `cannot mount a tmpfs (needs root): ${why}` };
  }
  return {
    dir,
    unmount() {
      try {
        execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Fills the file system holding `dir` with `${dir}/filler` until a write fails with ENOSPC. */
export function fill(dir: string): string {
  const path = join(dir, "filler");
  execFileSync("sh", ["-c", `dd if=/dev/zero of='${path}' bs=4k 2>/dev/null; true`]);
  return path;
}
