import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { arrayOf, errors, obj, ref, stringEnum } from "../schemas/json-schema.js";
import { importProblemView, importWarningView } from "../views/import-error-view.js";

export async function importErrorRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Querystring: { severity?: "error" | "warning" } }>(
    "/api/v1/import-errors",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["dags"],
        summary: "DAG files that failed to load, and type-check warnings",
        description:
          'Load errors (`severity` "error") first, then the background type check\'s warnings (`severity` "warning": the DAG loads and runs), each by file in the order reported. `?severity=` lists only one kind.',
        querystring: obj({ severity: stringEnum(["error", "warning"]) }, ["severity"]),
        response: { 200: obj({ errors: arrayOf(ref("ImportError")) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { severity } = request.query;
      const [loadErrors, warnings] = await Promise.all([
        severity === "warning" ? [] : deps.store.listImportErrors(),
        severity === "error" ? [] : deps.store.listImportWarnings(),
      ]);
      return { errors: [...loadErrors.map((e) => importProblemView(e, "error")), ...warnings.map(importWarningView)] };
    },
  );
}
