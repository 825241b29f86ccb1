/**
 * elkjs's layered layout, run in a Web Worker: the ~1.4 MB layout engine (elk-worker.min.js) is
 * a separate, hashed file that the browser fetches the first time a graph is laid out (the DAG's
 * Graph tab, the Lineage page), not part of the first page's bundle, and the layout of a large
 * graph does not block the page. One worker, started on first use, serves every layout.
 */
import ELK, { type ELK as ElkApi, type ElkNode } from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";

let elk: ElkApi | null = null;

export function elkLayout(graph: ElkNode): Promise<ElkNode> {
  elk ??= new ELK({ workerUrl: elkWorkerUrl });
  return elk.layout(graph);
}
