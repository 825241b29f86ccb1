import pg from "pg";
import { openPostgresStore } from "../postgres/open-postgres-store.js";

/** The server the PostgreSQL tests use: BATON_TEST_PG_URL, or a local trust-auth default. */
export const TEST_PG_URL = process.env.BATON_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Connects once; returns the error text when the server cannot be used. */
export async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Test isolation on one server: a template database migrated once per test file, cloned per
 * test (`CREATE DATABASE … TEMPLATE`, a file copy: much faster than migrating) and dropped after.
 */
export class PostgresTestDatabases {
  readonly #admin: pg.Client;
  readonly #prefix = `baton_test_${process.pid}_${Date.now().toString(36)}`;
  readonly #template = `${this.#prefix}_tpl`;
  readonly #created: string[] = [];
  #clones = 0;

  private constructor(
    readonly serverUrl: string,
    admin: pg.Client,
  ) {
    this.#admin = admin;
  }

  static async create(serverUrl: string): Promise<PostgresTestDatabases> {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const dbs = new PostgresTestDatabases(serverUrl, admin);
    await dbs.#createDatabase(dbs.#template);
    const store = await openPostgresStore(withDatabase(serverUrl, dbs.#template));
    await store.close();
    return dbs;
  }

  /** A new database cloned from the migrated template; returns its URL. */
  async clone(): Promise<string> {
    const name = `${this.#prefix}_${++this.#clones}`;
    await this.#createDatabase(name, this.#template);
    return withDatabase(this.serverUrl, name);
  }

  /** An empty, unmigrated database; returns its URL. */
  async empty(): Promise<string> {
    const name = `${this.#prefix}_${++this.#clones}`;
    await this.#createDatabase(name);
    return withDatabase(this.serverUrl, name);
  }

  async drop(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    await this.#admin.query(`drop database if exists "${name}" with (force)`);
    this.#created.splice(this.#created.indexOf(name), 1);
  }

  async dispose(): Promise<void> {
    for (const name of [...this.#created].reverse()) {
      await this.#admin.query(`drop database if exists "${name}" with (force)`);
    }
    await this.#admin.end();
  }

  async #createDatabase(name: string, template?: string): Promise<void> {
    await this.#admin.query(`create database "${name}"${template ? ` template "${template}"` : ""}`);
    this.#created.push(name);
  }
}
