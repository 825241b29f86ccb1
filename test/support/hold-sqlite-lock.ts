import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const betterSqlite3 = pathToFileURL(createRequire(import.meta.url).resolve("better-sqlite3")).href;

// The child: takes the lock (waiting up to 5 s for it), says "locked", holds it for `ms` on its
// own timer (the parent's event loop may be the thing under test), then commits and exits.
const CHILD = `
import Database from ${JSON.stringify(betterSqlite3)};
const [path, mode, ms] = process.argv.slice(1);
const db = new Database(path);
db.pragma("busy_timeout = 5000");
if (mode === "exclusive") db.pragma("locking_mode = EXCLUSIVE");
db.exec("begin exclusive");
db.exec("create table if not exists lock_holder (at integer)");
db.prepare("insert into lock_holder values (?)").run(Date.now());
process.stdout.write("locked\\n");
setTimeout(() => { db.exec("commit"); db.close(); process.stdout.write("released\\n"); }, Number(ms));
`;

export interface HeldLock {
  /** Resolves when the other process has committed and exited. */
  released: Promise<void>;
}

/**
 * Another process takes SQLite's write lock on `path` (`BEGIN EXCLUSIVE` plus a write; in WAL
 * mode this blocks writers, not readers) and holds it for `ms`. `mode: "exclusive"` also sets
 * `PRAGMA locking_mode = EXCLUSIVE`, which blocks readers too but can only be taken while no
 * other process has the file open. Resolves once the lock is held.
 */
export async function holdSqliteLock(path: string, ms: number, mode: "write" | "exclusive" = "write"): Promise<HeldLock> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, path, mode, String(ms)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes("locked")) resolve();
    };
    child.stdout.on("data", check);
    void exited.then((code) => reject(new Error(`the lock holder exited (${code}) before locking: ${err}`)));
  });
  return {
    released: exited.then((code) => {
      if (code !== 0) throw new Error(`the lock holder failed (${code}): ${err}`);
    }),
  };
}
