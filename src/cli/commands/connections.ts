import { existsSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import { loadOptional } from "../../core/optional-module.js";
import type { Connection } from "../../core/model/connection.js";
import { normalizeExtra, parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { connectionEnvName } from "../../core/secrets/env-names.js";
import { maskText } from "../../core/secrets/mask-text.js";
import { redactConnection, secretValuesOf } from "../../core/secrets/sensitive-keys.js";
import { checkSecretName } from "../../secrets/secret-vault.js";
import { recordCliAudit } from "../cli-audit.js";
import { EXIT, iso, parseJsonOption, printJson, printTable } from "../output.js";
import { openSecretVault, withRuntime, type CommonOptions } from "../runtime.js";

export interface ConnectionAddOptions extends CommonOptions {
  uri?: string;
  type?: string;
  host?: string;
  port?: string;
  login?: string;
  password?: string;
  schema?: string;
  extra?: string;
  description?: string;
}

/** `-` reads the value from standard input (keeps it out of the shell history and `ps`). */
export function fromStdinIfDash(value: string | undefined): string | undefined {
  return value === "-" ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : value;
}

function connectionFromOptions(id: string, o: ConnectionAddOptions): Connection {
  const uri = fromStdinIfDash(o.uri);
  if ((uri === undefined) === (o.type === undefined)) throw new InvalidInputError("give either --uri <uri> or --type <type> (with --host, --port…), not both");
  if (uri !== undefined) {
    const fields = [o.host, o.port, o.login, o.password, o.schema, o.extra].filter((f) => f !== undefined);
    if (fields.length > 0) throw new InvalidInputError("--uri already holds host, port, login, password, schema and extras; do not combine it with them");
    return parseConnectionUri(id, uri);
  }
  let port: number | null = null;
  if (o.port !== undefined) {
    port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`--port must be a number from 0 to 65535, got "${o.port}"`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.\-_]*$/.test(o.type!)) throw new InvalidInputError(`--type "${o.type}" must start with a letter and use letters, digits, + . - _`);
  return {
    id,
    type: o.type!,
    host: o.host ?? null,
    port,
    login: o.login ?? null,
    password: fromStdinIfDash(o.password) ?? null,
    schema: o.schema ?? null,
    extra: normalizeExtra(parseJsonOption(o.extra, "--extra")),
  };
}

/** `baton connections add <id> (--uri … | --type … [--host …])`: stores a connection, encrypted. */
export async function connectionsAdd(id: string, opts: ConnectionAddOptions): Promise<number> {
  checkSecretName(id, "connection id");
  const connection = connectionFromOptions(id, opts);
  return withRuntime(opts, async (rt) => {
    if ((await rt.store.getConnection(id)) !== undefined) {
      throw new ConflictError(`connection "${id}" already exists; delete it first with \`baton connections delete ${id}\``);
    }
    await openSecretVault(rt.config, rt.store).putConnection(connection, opts.description ?? "");
    await recordCliAudit(rt.store, "connection.create", {
      command: "connections add",
      target: { type: "connection", id },
      after: auditedConnection(connection, opts.description ?? ""),
    });
    if (opts.json) printJson({ id, type: connection.type });
    else process.stdout.write(`Added connection ${id} (${connection.type}).\n`);
    return EXIT.ok;
  });
}

/** A connection's audit values: no password (only whether it has one), sensitive extras as ***. */
function auditedConnection(connection: Connection, description: string): Record<string, unknown> {
  const { id: _id, ...shown } = view(connection, { description });
  return { ...shown, hasPassword: connection.password !== null && connection.password !== "" };
}

/** What listing shows: never the password; sensitive extras as ***. */
function view(connection: Connection, extra: { description?: string; updatedAt?: string | null; source?: string } = {}) {
  const r = redactConnection(connection);
  return { id: r.id, type: r.type, host: r.host, port: r.port, login: r.login, schema: r.schema, extra: r.extra, ...extra };
}

export async function connectionsList(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const entries = await openSecretVault(rt.config, rt.store).listConnections();
    const rows = entries.map((e) => view(e.connection, { description: e.description, updatedAt: iso(e.updatedAt) }));
    if (opts.json) printJson(rows);
    else printTable(rows, ["id", "type", "host", "port", "login", "schema", "description"]);
    return EXIT.ok;
  });
}

/** The connection tasks would get: the environment first, then the store. */
async function lookup(id: string, opts: CommonOptions): Promise<{ connection: Connection; source: string; description: string; updatedAt: number | null }> {
  return withRuntime(opts, async (rt) => {
    const name = connectionEnvName(id);
    const uri = rt.config.secretEnv[name];
    if (uri !== undefined && uri !== "") return { connection: parseConnectionUri(id, uri), source: `env ${name}`, description: "", updatedAt: null };
    const entry = await openSecretVault(rt.config, rt.store).getConnection(id);
    if (entry === undefined) throw new NotFoundError(`connection "${id}" not found: looked in the environment variable ${name} and the store`);
    return { ...entry, source: "store" };
  });
}

export async function connectionsGet(id: string, opts: CommonOptions & { reveal?: boolean }): Promise<number> {
  const found = await lookup(id, opts);
  const row = opts.reveal
    ? { ...found.connection, source: found.source, description: found.description, updatedAt: iso(found.updatedAt) }
    : view(found.connection, { source: found.source, description: found.description, updatedAt: iso(found.updatedAt) });
  if (opts.json) printJson(row);
  else {
    for (const [k, v] of Object.entries(row)) {
      const text = v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
      process.stdout.write(`${`${k}:`.padEnd(13)}${text}\n`);
    }
  }
  return EXIT.ok;
}

export async function connectionsDelete(id: string, opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const old = await openSecretVault(rt.config, rt.store)
      .getConnection(id)
      .catch(() => undefined);
    if (!(await rt.store.deleteConnection(id))) throw new NotFoundError(`no connection "${id}" in the store`);
    await recordCliAudit(rt.store, "connection.delete", {
      command: "connections delete",
      target: { type: "connection", id },
      before: old ? auditedConnection(old.connection, old.description) : null,
    });
    process.stdout.write(`Deleted connection ${id}.\n`);
    return EXIT.ok;
  });
}

/** Tries to reach the system a connection points at: exit 0 ok, 1 failed, 2 no test for its type. */
export async function connectionsTest(id: string, opts: CommonOptions): Promise<number> {
  const { connection } = await lookup(id, opts);
  const result = await probeConnection(connection);
  if (!result.supported) {
    process.stderr.write(`${result.error}\n`);
    return EXIT.badInput;
  }
  if (!result.ok) {
    if (opts.json) printJson({ id, ok: false, error: result.error });
    else process.stdout.write(`Connection ${id} (${connection.type}): failed: ${result.error}\n`);
    return EXIT.failed;
  }
  if (opts.json) printJson({ id, ok: true });
  else process.stdout.write(`Connection ${id} (${connection.type}): ok\n`);
  return EXIT.ok;
}

/**
 * The check behind `connections test` and POST /api/v1/connections/{id}/test. Never throws: a
 * failure is `ok: false` with the reason, the connection's secrets masked; `supported: false`
 * when there is no check for the type.
 */
export async function probeConnection(connection: Connection): Promise<{ ok: boolean; supported: boolean; error: string | null }> {
  const probe = PROBES[connection.type.toLowerCase()];
  if (probe === undefined)
    return { ok: false, supported: false, error: `no test for type ${connection.type} (tests exist for: ${Object.keys(PROBES).join(", ")})` };
  try {
    await probe(connection);
    return { ok: true, supported: true, error: null };
  } catch (e) {
    return { ok: false, supported: true, error: maskText(e instanceof Error ? e.message || e.constructor.name : String(e), secretValuesOf(connection)) };
  }
}

const TIMEOUT_MS = 10_000;
const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

async function probePostgres(c: Connection): Promise<void> {
  const { default: pg } = await import("pg"); // loaded on use: the API serves this module from its start (issue 13)
  const client = new pg.Client({
    host: orUndefined(c.host),
    port: orUndefined(c.port),
    user: orUndefined(c.login),
    password: orUndefined(c.password),
    database: orUndefined(c.schema),
    connectionTimeoutMillis: TIMEOUT_MS,
    ...(c.extra.sslmode && c.extra.sslmode !== "disable" ? { ssl: { rejectUnauthorized: c.extra.sslmode === "verify-full" } } : {}),
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeMysql(c: Connection): Promise<void> {
  const { default: mysql } = await loadOptional("MySQL", ["mysql2"], () => import("mysql2/promise"));
  const conn = await mysql.createConnection({
    host: orUndefined(c.host),
    port: orUndefined(c.port),
    user: orUndefined(c.login),
    password: orUndefined(c.password),
    database: orUndefined(c.schema),
    connectTimeout: TIMEOUT_MS,
  });
  try {
    await conn.query("SELECT 1");
  } finally {
    await conn.end().catch(() => {});
  }
}

async function probeHttp(c: Connection): Promise<void> {
  if (c.host === null) throw new InvalidInputError(`connection "${c.id}" has no host`);
  const host = c.host.includes(":") ? `[${c.host}]` : c.host;
  const url = `${c.type.toLowerCase()}://${host}${c.port === null ? "" : `:${c.port}`}/${c.schema ?? ""}`;
  const headers: Record<string, string> = {};
  if (c.login !== null) headers.authorization = `Basic ${Buffer.from(`${c.login}:${c.password ?? ""}`).toString("base64")}`;
  let response = await fetch(url, { method: "HEAD", headers, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (response.status === 405 || response.status === 501) {
    response = await fetch(url, { method: "GET", headers, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
  }
  if (response.status >= 500) throw new Error(`${url} answered HTTP ${response.status}`);
}

async function probeSqlite(c: Connection): Promise<void> {
  const file = c.schema ?? c.host;
  if (file === null) throw new InvalidInputError(`connection "${c.id}" names no database file`);
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare("SELECT count(*) FROM sqlite_master").get();
  } finally {
    db.close();
  }
}

const PROBES: Record<string, (c: Connection) => Promise<void>> = {
  postgres: probePostgres,
  postgresql: probePostgres,
  mysql: probeMysql,
  mariadb: probeMysql,
  http: probeHttp,
  https: probeHttp,
  sqlite: probeSqlite,
};
