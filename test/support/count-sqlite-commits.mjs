// Loaded into a real `baton` process with `node --import` (NODE_OPTIONS): counts its SQLite write
// transactions — COMMITs of transactions that changed something, and changes made outside any
// transaction (each its own transaction) — by the statements better-sqlite3 runs, and writes
// `{ commits, byStatement }` to $BATON_COUNT_COMMITS_FILE every 100 ms and at exit. `byStatement`
// counts the transactions by their writing statements, to tell who writes.
import { renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../package.json", import.meta.url));
const Database = require("better-sqlite3");
// NODE_OPTIONS reaches the processes `baton` starts too (workers, DAG loaders): count in `baton` itself only.
const out = /[\\/]bin[\\/]baton\.js$/.test(process.argv[1] ?? "") ? process.env.BATON_COUNT_COMMITS_FILE : undefined;

let commits = 0;
const byStatement = {};
/** Per connection: the writing statements of the transaction under way. */
const open = new WeakMap();
const isCommit = (sql) => /^\s*(commit|end)\b/i.test(sql);
const isBegin = (sql) => /^\s*begin\b/i.test(sql);
const isRollback = (sql) => /^\s*rollback\s*(transaction)?\s*;?\s*$/i.test(sql);
const key = (sql) => sql.replace(/\s+/g, " ").trim().slice(0, 90);

function count(writes) {
  commits++;
  const k = [...new Set(writes.map(key))].join(" + ");
  byStatement[k] = (byStatement[k] ?? 0) + 1;
}

let patched = out === undefined;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (...args) {
  const stmt = prepare.apply(this, args);
  if (!patched) {
    patched = true;
    const proto = Object.getPrototypeOf(stmt);
    for (const method of ["run", "get", "all", "iterate"]) {
      const original = proto[method];
      proto[method] = function (...params) {
        const db = this.database;
        const sql = this.source;
        const result = original.apply(this, params);
        const writes = open.get(db) ?? [];
        if (isCommit(sql)) {
          if (writes.length > 0) count(writes);
          open.set(db, []);
        } else if (isRollback(sql)) {
          open.set(db, []);
        } else if (!this.readonly && !isBegin(sql)) {
          if (db.inTransaction) open.set(db, [...writes, sql]);
          else count([sql]);
        }
        return result;
      };
    }
  }
  return stmt;
};

const report = () => {
  if (!out) return;
  // Atomically: a reader never sees half a document.
  writeFileSync(`${out}.tmp`, JSON.stringify({ commits, byStatement }));
  renameSync(`${out}.tmp`, out);
};
setInterval(report, 100).unref();
process.on("exit", report);
