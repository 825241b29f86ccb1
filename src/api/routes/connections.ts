import { performance } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { connectionEnvName } from "../../core/secrets/env-names.js";
import { maskText } from "../../core/secrets/mask-text.js";
import { isSensitiveKey, MASK, secretValuesOf } from "../../core/secrets/sensitive-keys.js";
import type { RouteDeps, SecretsAdmin } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { connectionView } from "../views/secret-views.js";
import { envConnection, envOnlyNames, parseUriField, refuseEnvDefined, requireSecretsAdmin } from "./secret-env.js";

const tags = ["connections"];
/** As `checkSecretName`: letters, digits, _ . - */
export const SECRET_NAME = { type: "string", minLength: 1, maxLength: 250, pattern: "^[A-Za-z0-9_.-]+$" } as const;
const idParams = obj({ id: SECRET_NAME });
const text = (max: number) => ({ type: ["string", "null"], maxLength: max });
const fields = {
  type: {
    type: "string",
    minLength: 1,
    maxLength: 100,
    pattern: "^[A-Za-z][A-Za-z0-9+.\\-_]*$",
    description: "URI scheme: postgres, mysql, http, https, s3, sqlite…",
  },
  host: text(1000),
  port: { type: ["integer", "null"], minimum: 0, maximum: 65535 },
  login: text(1000),
  password: { ...text(10_000), description: "Write-only. On PATCH: omitted keeps the stored password, null clears it." },
  schema: text(1000),
  extra: {
    type: "object",
    maxProperties: 200,
    additionalProperties: { type: "string", maxLength: 10_000 },
    description: "On PATCH: replaces the extras; a sensitive key sent as `***` keeps its stored value.",
  },
  description: { type: "string", maxLength: 1000 },
};
const createBody = obj(
  {
    id: SECRET_NAME,
    uri: {
      type: "string",
      minLength: 1,
      maxLength: 10_000,
      description: "Write-only: `type://login:password@host:port/schema?key=value`, instead of the separate fields.",
    },
    ...fields,
  },
  ["uri", "type", "host", "port", "login", "password", "schema", "extra", "description"],
);
const patchBody = obj(fields, Object.keys(fields));

type Fields = {
  type?: string;
  host?: string | null;
  port?: number | null;
  login?: string | null;
  password?: string | null;
  schema?: string | null;
  extra?: Record<string, string>;
  description?: string;
};
type CreateBody = Fields & { id: string; uri?: string };

/**
 * /api/v1/connections: list, create, read, change, delete and test connections. Reads need `op`,
 * writes `admin`. No answer ever holds a password or a sensitive extra (docs/security.md); a
 * connection `BATON_CONN_<ID>` defines is shown with `source: "env"` and is read-only (409).
 */
export async function connectionRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const admin = (): SecretsAdmin => requireSecretsAdmin(deps.secretsAdmin);

  /** What tasks get: the environment first, then the store; 404 naming both places. */
  const resolve = async (id: string) => {
    const a = admin();
    const fromEnv = envConnection(a.env, id);
    const entry = await a.vault().getConnection(id);
    // The environment's values win; a shadowed stored copy still lends its description.
    if (fromEnv !== undefined) return { connection: fromEnv, description: entry?.description ?? "", updatedAt: null, source: "env" as const };
    if (entry === undefined) throw new NotFoundError(`connection "${id}" not found: looked in the environment variable ${connectionEnvName(id)} and the store`);
    return { ...entry, source: "store" as const };
  };
  /** A stored connection that the environment does not override, for writes. */
  const writable = async (id: string) => {
    const a = admin();
    if (envConnection(a.env, id) !== undefined) refuseEnvDefined("connection", id, connectionEnvName(id));
    const entry = await a.vault().getConnection(id);
    if (entry === undefined) throw new NotFoundError(`no connection "${id}" in the store`);
    return entry;
  };

  app.get(
    "/api/v1/connections",
    {
      config: { role: "op" },
      schema: {
        tags,
        summary: "Connections, without their secrets",
        response: { 200: obj({ connections: arrayOf(ref("Connection")) }), ...errors(401, 403, 404) },
      },
    },
    async () => {
      const a = admin();
      const stored = await a.vault().listConnections();
      const views = stored.map((e) => {
        const fromEnv = safeEnvConnection(a.env, e.connection.id);
        return fromEnv === undefined
          ? connectionView(e.connection, { description: e.description, updatedAt: e.updatedAt, source: "store" })
          : connectionView(fromEnv, { description: e.description, updatedAt: null, source: "env" });
      });
      for (const id of envOnlyNames(
        a.env,
        "connection",
        stored.map((e) => e.connection.id),
      )) {
        const fromEnv = safeEnvConnection(a.env, id);
        if (fromEnv !== undefined) views.push(connectionView(fromEnv, { description: "", updatedAt: null, source: "env" }));
      }
      return { connections: views.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)) };
    },
  );

  app.post<{ Body: CreateBody }>(
    "/api/v1/connections",
    {
      config: { role: "admin", audit: "connection.create" },
      schema: {
        tags,
        summary: "Create a connection (stored encrypted)",
        description: "Give either `uri` or `type` with the separate fields. 409 when the id exists in the store or the environment defines it.",
        body: createBody,
        response: { 201: ref("Connection"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const a = admin();
      const body = request.body;
      const connection = connectionFromBody(body);
      if (envConnection(a.env, body.id) !== undefined) refuseEnvDefined("connection", body.id, connectionEnvName(body.id));
      const vault = a.vault();
      if ((await vault.getConnection(body.id)) !== undefined)
        throw new ConflictError(`connection "${body.id}" already exists; change it with PATCH or delete it first`);
      await vault.putConnection(connection, body.description ?? "");
      noteAudit(request, { target: { type: "connection", id: body.id }, after: auditedConnection(connection, body.description ?? "") });
      return reply.status(201).send(connectionView(connection, { description: body.description ?? "", updatedAt: deps.now(), source: "store" }));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/v1/connections/:id",
    {
      config: { role: "op" },
      schema: { tags, summary: "One connection, without its secrets", params: idParams, response: { 200: ref("Connection"), ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const found = await resolve(request.params.id);
      return connectionView(found.connection, found);
    },
  );

  app.patch<{ Params: { id: string }; Body: Fields }>(
    "/api/v1/connections/:id",
    {
      config: { role: "admin", audit: "connection.update" },
      schema: {
        tags,
        summary: "Change a connection; an omitted password is kept",
        params: idParams,
        body: patchBody,
        response: { 200: ref("Connection"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const entry = await writable(id);
      const b = request.body;
      const old = entry.connection;
      const next: Connection = {
        id,
        type: b.type ?? old.type,
        host: b.host === undefined ? old.host : b.host,
        port: b.port === undefined ? old.port : b.port,
        login: b.login === undefined ? old.login : b.login,
        password: b.password === undefined ? old.password : b.password,
        schema: b.schema === undefined ? old.schema : b.schema,
        extra: b.extra === undefined ? old.extra : keepMaskedExtras(b.extra, old.extra),
      };
      const description = b.description ?? entry.description;
      await admin().vault().putConnection(next, description);
      noteAudit(request, {
        target: { type: "connection", id },
        before: auditedConnection(old, entry.description),
        after: auditedConnection(next, description),
        details: { passwordChanged: b.password !== undefined && b.password !== old.password },
      });
      return connectionView(next, { description, updatedAt: deps.now(), source: "store" });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/connections/:id",
    {
      config: { role: "admin", audit: "connection.delete" },
      schema: {
        tags,
        summary: "Delete a stored connection",
        params: idParams,
        response: { 204: { type: "null", description: "Deleted." }, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (envConnection(admin().env, id) !== undefined) refuseEnvDefined("connection", id, connectionEnvName(id));
      const entry = await admin().vault().getConnection(id);
      if (entry === undefined || !(await admin().vault().deleteConnection(id))) throw new NotFoundError(`no connection "${id}" in the store`);
      noteAudit(request, { target: { type: "connection", id }, before: auditedConnection(entry.connection, entry.description) });
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { id: string } }>(
    "/api/v1/connections/:id/test",
    {
      config: { role: "op", audit: "connection.test" },
      schema: {
        tags,
        summary: "Try to reach the system a connection points at (as `baton connections test`)",
        description: "Uses the connection tasks would get (the environment first). A failed check is `ok: false` with the reason, secrets masked.",
        params: idParams,
        response: { 200: ref("ConnectionCheck"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { connection } = await resolve(request.params.id);
      const started = performance.now();
      const result = await admin()
        .check(connection)
        .catch((e: unknown) => ({ ok: false, supported: true, error: e instanceof Error ? e.message || e.name : String(e) }));
      // The check masks already; mask again so no check can leak a secret through its message.
      const error = result.error === null ? null : maskText(result.error, secretValuesOf(connection));
      noteAudit(request, { target: { type: "connection", id: connection.id }, details: { ok: result.ok, supported: result.supported } });
      return { id: connection.id, ok: result.ok, supported: result.supported, error, durationMs: Math.round(performance.now() - started) };
    },
  );
}

/** A connection's audit values: as the API shows it (no password, sensitive extras as `***`), without its env bookkeeping. */
function auditedConnection(c: Connection, description: string): Record<string, unknown> {
  const {
    id: _id,
    updatedAt: _at,
    source: _source,
    envVar: _env,
    readOnly: _ro,
    ...shown
  } = connectionView(c, { description, updatedAt: null, source: "store" });
  return shown;
}

function connectionFromBody(b: CreateBody): Connection {
  if ((b.uri === undefined) === (b.type === undefined)) throw new InvalidInputError("type: give either uri or type (with host, port, login …), not both");
  if (b.uri !== undefined) {
    const extraFields = (["host", "port", "login", "password", "schema", "extra"] as const).filter((k) => b[k] !== undefined);
    if (extraFields.length > 0)
      throw new InvalidInputError(`uri: already holds host, port, login, password, schema and extras; do not combine it with ${extraFields.join(", ")}`);
    return parseUriField(b.id, b.uri);
  }
  return {
    id: b.id,
    type: b.type!,
    host: b.host ?? null,
    port: b.port ?? null,
    login: b.login ?? null,
    password: b.password ?? null,
    schema: b.schema ?? null,
    extra: b.extra ?? {},
  };
}

/** A sensitive extra sent back as `***` (as GET shows it) keeps its stored value. */
function keepMaskedExtras(extra: Record<string, string>, old: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) out[k] = v === MASK && isSensitiveKey(k) && old[k] !== undefined ? old[k] : v;
  return out;
}

/** For listing: a malformed `BATON_CONN_*` must not hide the other connections. */
function safeEnvConnection(env: SecretsAdmin["env"], id: string): Connection | undefined {
  try {
    return envConnection(env, id);
  } catch {
    return { id, type: "invalid-uri", host: null, port: null, login: null, password: null, schema: null, extra: {} };
  }
}
