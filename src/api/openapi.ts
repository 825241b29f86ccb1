import fastifySwagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";

export const OPENAPI_PATH = "/api/openapi.json";
/** The committed copy, relative to the repository root. */
export const OPENAPI_FILE = "docs/openapi.json";

/** Registers @fastify/swagger (OpenAPI 3.1); component schemas keep their `$id` as name. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Baton API",
        version: "1",
        description: "Baton's REST API (docs/api.md). Generated from the route schemas; do not edit docs/openapi.json by hand: run `npm run gen:api`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "An API token: `baton_<id>_<secret>`." },
          cookie: { type: "apiKey", in: "cookie", name: "baton_session", description: "The UI's login session; mutations also need `X-CSRF-Token`." },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
      tags: [
        { name: "health" },
        { name: "auth" },
        { name: "users" },
        { name: "dags" },
        { name: "runs" },
        { name: "task instances" },
        { name: "backfills" },
        { name: "pools" },
        { name: "events" },
        { name: "connections" },
        { name: "variables" },
        { name: "audit" },
        { name: "workers" },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  // Like every endpoint but health, it needs credentials outside local mode.
  app.get(OPENAPI_PATH, { config: { role: "viewer" }, schema: { hide: true } }, async () => app.swagger());
}

/** JSON with object keys sorted at every level: a stable text for the committed document. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
