import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

export async function importErrorRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    "/api/v1/import-errors",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["dags"],
        summary: "DAG files that failed to load",
        response: { 200: obj({ errors: arrayOf(ref("ImportError")) }), ...errors(401, 403) },
      },
    },
    async () => {
      const list = await deps.store.listImportErrors();
      return { errors: list.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at) })) };
    },
  );
}
