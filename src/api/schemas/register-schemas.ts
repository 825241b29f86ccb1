import type { FastifyInstance } from "fastify";
import { BackfillSchema, PoolSchema } from "./admin-schemas.js";
import { CommandResultSchema, ErrorSchema } from "./common-schemas.js";
import { DatasetEventSchema, DatasetSchema } from "./dataset-schemas.js";
import { ExplanationSchema } from "./explain-schemas.js";
import { DagDeletedSchema } from "./dag-delete-schemas.js";
import { DagDetailSchema, DagSourceSchema, DagSummarySchema, DagTaskSchema, ImportErrorSchema } from "./dag-schemas.js";
import { GridSchema, RunSchema } from "./run-schemas.js";
import { ConnectionCheckSchema, ConnectionSchema, VariableSchema } from "./secret-schemas.js";
import { AttemptSchema, TaskInstanceDetailSchema, TaskInstanceSchema } from "./task-schemas.js";

/** Component schemas, referenced from routes as `{ $ref: "Run#" }` and named so in OpenAPI. */
export function registerSchemas(app: FastifyInstance): void {
  for (const schema of [
    ErrorSchema,
    CommandResultSchema,
    DagSummarySchema,
    DagTaskSchema,
    DagDetailSchema,
    DagSourceSchema,
    DagDeletedSchema,
    ImportErrorSchema,
    RunSchema,
    GridSchema,
    TaskInstanceSchema,
    AttemptSchema,
    TaskInstanceDetailSchema,
    BackfillSchema,
    PoolSchema,
    DatasetEventSchema,
    DatasetSchema,
    ConnectionSchema,
    ConnectionCheckSchema,
    VariableSchema,
    ExplanationSchema,
  ]) {
    app.addSchema(schema);
  }
}
