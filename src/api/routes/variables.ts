import type { FastifyInstance } from "fastify";
import { ConflictError, NotFoundError } from "../../core/errors.js";
import { variableEnvName } from "../../core/secrets/env-names.js";
import type { RouteDeps, SecretsAdmin } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { variableView } from "../views/secret-views.js";
import { SECRET_NAME } from "./connections.js";
import { envOnlyNames, envVariable, refuseEnvDefined, requireSecretsAdmin } from "./secret-env.js";

const tags = ["variables"];
const keyParams = obj({ key: SECRET_NAME });
const value = { type: "string", maxLength: 65_536, description: "Write-only for sensitive keys: answers show `***`." };
const description = { type: "string", maxLength: 1000 };

/**
 * /api/v1/variables: list, create, read, change and delete variables. Reads need `op`, writes
 * `admin`. A variable whose key names a secret (see sensitive-keys) is answered as `***`; one
 * `BATON_VAR_<KEY>` defines is shown with `source: "env"` and is read-only (409).
 */
export async function variableRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const admin = (): SecretsAdmin => requireSecretsAdmin(deps.secretsAdmin);
  const refuseIfEnv = (key: string) => {
    if (envVariable(admin().env, key) !== undefined) refuseEnvDefined("variable", key, variableEnvName(key));
  };

  app.get(
    "/api/v1/variables",
    {
      config: { role: "op" },
      schema: {
        tags,
        summary: "Variables; sensitive values as ***",
        response: { 200: obj({ variables: arrayOf(ref("Variable")) }), ...errors(401, 403, 404) },
      },
    },
    async () => {
      const a = admin();
      const stored = await a.vault().listVariables();
      const views = stored.map((v) => {
        const fromEnv = envVariable(a.env, v.key);
        return fromEnv === undefined
          ? variableView(v.key, v.value, { description: v.description, updatedAt: v.updatedAt, source: "store" })
          : variableView(v.key, fromEnv, { description: v.description, updatedAt: null, source: "env" });
      });
      for (const key of envOnlyNames(
        a.env,
        "variable",
        stored.map((v) => v.key),
      )) {
        views.push(variableView(key, envVariable(a.env, key) ?? "", { description: "", updatedAt: null, source: "env" }));
      }
      return { variables: views.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)) };
    },
  );

  app.post<{ Body: { key: string; value: string; description?: string } }>(
    "/api/v1/variables",
    {
      config: { role: "admin", audit: "variable.create" },
      schema: {
        tags,
        summary: "Create a variable (stored encrypted)",
        description: "409 when the key exists in the store or the environment defines it.",
        body: obj({ key: SECRET_NAME, value, description }, ["description"]),
        response: { 201: ref("Variable"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { key, value: text, description: about = "" } = request.body;
      refuseIfEnv(key);
      const vault = admin().vault();
      if ((await vault.getVariable(key)) !== undefined) throw new ConflictError(`variable "${key}" already exists; change it with PATCH or delete it first`);
      await vault.putVariable(key, text, about);
      noteAudit(request, { target: { type: "variable", id: key }, after: auditedVariable(key, text, about) });
      return reply.status(201).send(variableView(key, text, { description: about, updatedAt: deps.now(), source: "store" }));
    },
  );

  app.get<{ Params: { key: string } }>(
    "/api/v1/variables/:key",
    {
      config: { role: "op" },
      schema: {
        tags,
        summary: "One variable as tasks get it; a sensitive value as ***",
        params: keyParams,
        response: { 200: ref("Variable"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { key } = request.params;
      const a = admin();
      const fromEnv = envVariable(a.env, key);
      const entry = await a.vault().getVariable(key);
      // The environment's value wins; a shadowed stored copy still lends its description.
      if (fromEnv !== undefined) return variableView(key, fromEnv, { description: entry?.description ?? "", updatedAt: null, source: "env" });
      if (entry === undefined) throw new NotFoundError(`variable "${key}" not found: looked in the environment variable ${variableEnvName(key)} and the store`);
      return variableView(key, entry.value, { description: entry.description, updatedAt: entry.updatedAt, source: "store" });
    },
  );

  app.patch<{ Params: { key: string }; Body: { value?: string; description?: string } }>(
    "/api/v1/variables/:key",
    {
      config: { role: "admin", audit: "variable.update" },
      schema: {
        tags,
        summary: "Change a variable's value or description; an omitted value is kept",
        params: keyParams,
        body: obj({ value, description }, ["value", "description"]),
        response: { 200: ref("Variable"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { key } = request.params;
      refuseIfEnv(key);
      const vault = admin().vault();
      const entry = await vault.getVariable(key);
      if (entry === undefined) throw new NotFoundError(`no variable "${key}" in the store`);
      const next = { value: request.body.value ?? entry.value, description: request.body.description ?? entry.description };
      await vault.putVariable(key, next.value, next.description);
      noteAudit(request, {
        target: { type: "variable", id: key },
        before: auditedVariable(key, entry.value, entry.description),
        after: auditedVariable(key, next.value, next.description),
        details: { valueChanged: next.value !== entry.value },
      });
      return variableView(key, next.value, { description: next.description, updatedAt: deps.now(), source: "store" });
    },
  );

  app.delete<{ Params: { key: string } }>(
    "/api/v1/variables/:key",
    {
      config: { role: "admin", audit: "variable.delete" },
      schema: {
        tags,
        summary: "Delete a stored variable",
        params: keyParams,
        response: { 204: { type: "null", description: "Deleted." }, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { key } = request.params;
      refuseIfEnv(key);
      const entry = await admin().vault().getVariable(key);
      if (entry === undefined || !(await admin().vault().deleteVariable(key))) throw new NotFoundError(`no variable "${key}" in the store`);
      noteAudit(request, { target: { type: "variable", id: key }, before: auditedVariable(key, entry.value, entry.description) });
      return reply.status(204).send();
    },
  );
}

/** A variable's audit values: a sensitive one's value is `***`, as the API shows it. */
function auditedVariable(key: string, value: string, description: string): Record<string, unknown> {
  const shown = variableView(key, value, { description, updatedAt: null, source: "store" });
  return { value: shown.value, sensitive: shown.sensitive, description: shown.description };
}
