import type { FastifyInstance } from "fastify";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { RouteDeps } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { DATASET_URI_SCHEMA } from "../schemas/dataset-schemas.js";
import { anyObject, arrayOf, errors, obj, ref } from "../schemas/json-schema.js";
import { datasetEventView, datasetViews } from "../views/dataset-view.js";

const tags = ["datasets"];

export async function datasetRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store, datasets } = deps;

  const activeSpecs = async (): Promise<DagSpec[]> => {
    const specs: DagSpec[] = [];
    for (const dag of await store.listDags()) {
      if (!dag.active) continue;
      const v = await store.getDagVersion(dag.latestVersion);
      if (v) specs.push(v.spec);
    }
    return specs;
  };

  app.get(
    "/api/v1/datasets",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Datasets: their producers, readers, consumers and latest event",
        response: { 200: obj({ datasets: arrayOf(ref("Dataset")) }), ...errors(401, 403) },
      },
    },
    async () => ({ datasets: datasetViews(await activeSpecs(), await datasets.listDatasetSummaries()) }),
  );

  app.get<{ Querystring: { uri?: string; beforeId?: number; limit?: number } }>(
    "/api/v1/datasets/events",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Dataset events, newest first",
        querystring: obj(
          {
            uri: { ...DATASET_URI_SCHEMA, description: "Only this dataset's events." },
            beforeId: { type: "integer", minimum: 1, description: "Only events older than this id (the next page)." },
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
          },
          ["uri", "beforeId", "limit"],
        ),
        response: { 200: obj({ events: arrayOf(ref("DatasetEvent")) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { uri, beforeId, limit } = request.query;
      const events = await datasets.listDatasetEvents({
        ...(uri === undefined ? {} : { uris: [uri] }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: limit ?? 100,
      });
      return { events: events.map(datasetEventView) };
    },
  );

  app.post<{ Body: { uri: string; extra?: Record<string, unknown> } }>(
    "/api/v1/datasets/events",
    {
      config: { role: "user", audit: "dataset.event" },
      schema: {
        tags,
        summary: "Record that a dataset was updated outside Baton; DAGs scheduled on it may run",
        body: obj({ uri: DATASET_URI_SCHEMA, extra: { ...anyObject, description: "Free-form JSON kept with the event." } }, ["extra"]),
        response: { 201: ref("DatasetEvent"), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const [event] = await datasets.recordDatasetEvents([{ uri: request.body.uri, source: null, extra: request.body.extra ?? {}, createdAt: deps.now() }]);
      deps.wake?.();
      noteAudit(request, { target: { type: "dataset", id: request.body.uri }, after: { eventId: event!.id, extra: request.body.extra ?? {} } });
      return reply.status(201).send(datasetEventView(event!));
    },
  );
}
