import pg from "pg";

/** The PostgreSQL server `--pg` uses when given no URL: the local trust-auth default. */
export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A fresh database on the server `serverUrl` names, for one benchmark run: created empty (Baton
 * migrates it on open) and dropped by `drop()`, whatever the run did.
 */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`--pg: cannot reach PostgreSQL at ${redact(serverUrl)}: ${(e as Error).message}`);
  }
  await admin.query(`create database "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
