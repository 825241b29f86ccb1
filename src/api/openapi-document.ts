/**
 * The generator's side of the OpenAPI document (`npm run gen:api`, src/api/write-openapi.ts):
 * @fastify/swagger, a devDependency, describes the routes of a server built with stub
 * collaborators. The running server never loads this module; it serves the generated file
 * (src/api/openapi.ts).
 */
import fastifySwagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { BatonError } from "../core/errors.js";
import { buildApiServer } from "./server.js";

/** The OpenAPI document (3.1) of the API's routes; component schemas keep their `$id` as name. */
export async function openApiDocument(): Promise<object> {
  const app = await buildApiServer(
    {
      store: unavailable("store"),
      inbox: unavailable("inbox"),
      auth: unavailable("auth"),
      datasets: unavailable("datasets"),
      audit: unavailable("audit"),
      changes: { subscribe: () => () => {} },
      mode: "required",
      logsDir: "/nonexistent",
      triggerRun: () => Promise.reject(new BatonError("no store")),
      createBackfill: () => Promise.reject(new BatonError("no store")),
      logger: false,
    },
    { describeRoutes: registerSwagger },
  );
  try {
    return app.swagger() as object;
  } finally {
    await app.close();
  }
}

async function registerSwagger(app: FastifyInstance): Promise<void> {
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

/** A collaborator the document builder never calls; any use throws. */
function unavailable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, prop) => (prop === "then" ? undefined : () => Promise.reject(new BatonError(`${name}.${String(prop)} is unavailable here`))),
  });
}
