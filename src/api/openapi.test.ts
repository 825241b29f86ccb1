import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OPENAPI_FILE, shippedOpenApiFile, stableJson } from "./openapi.js";
import { openApiDocument } from "./openapi-document.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

type Doc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

describe("OpenAPI", () => {
  it("is served at /api/openapi.json to any signed-in role, and like every endpoint but health needs credentials outside local mode", async () => {
    expect((await h.app.inject("/api/openapi.json")).statusCode).toBe(401);
    const res = await h.app.inject({ url: "/api/openapi.json", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Doc;
    expect(doc.info.title).toBe("Baton API");
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearer", "cookie"]);
    for (const name of ["Run", "TaskInstance", "DagSummary", "DagDetail", "Grid", "Error", "CommandResult", "Backfill", "Pool"]) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    expect(doc.paths["/api/v1/health"]?.get?.security).toEqual([]);
    expect(doc.paths["/api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/logs"]).toHaveProperty("get");
  });

  it("serves the shipped docs/openapi.json as it is: what the generator makes of the routes, without @fastify/swagger at run time", async () => {
    expect(shippedOpenApiFile()).toBe(resolve(OPENAPI_FILE));
    const res = await h.app.inject({ url: "/api/openapi.json", headers: { ...(await h.bearer("viewer")), "accept-encoding": "identity" } });
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toBe(readFileSync(OPENAPI_FILE, "utf8"));
    expect(res.body, "the served document differs from the routes': run npm run gen:api").toBe(stableJson(await openApiDocument()));
    expect(h.app.hasDecorator("swagger"), "the running server does not load @fastify/swagger").toBe(false);
  });

  it("docs/openapi.json is up to date (run npm run gen:api)", async () => {
    const committed = readFileSync(OPENAPI_FILE, "utf8");
    expect(committed, "docs/openapi.json is stale: run npm run gen:api").toBe(stableJson(await openApiDocument()));
  });
});
