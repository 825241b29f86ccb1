import type { DagSpec } from "../../core/model/dag-spec.js";
import type { DatasetEventRecord } from "../../core/model/records.js";
import type { DatasetSummary } from "../../core/ports/dataset-store.js";
import { iso } from "./iso.js";

export function datasetEventView(e: DatasetEventRecord) {
  return { id: e.id, uri: e.uri, source: e.source, extra: e.extra, createdAt: iso(e.createdAt) };
}

interface DatasetView {
  uri: string;
  producers: { dagId: string; taskId: string }[];
  readers: { dagId: string; taskId: string }[];
  consumers: { dagId: string }[];
  eventCount: number;
  lastEvent: ReturnType<typeof datasetEventView> | null;
}

/**
 * Every dataset the active DAGs name (outlets, inlets, dataset schedules) or that has events,
 * by URI, with who writes, reads and waits for it.
 */
export function datasetViews(specs: DagSpec[], summaries: DatasetSummary[]): DatasetView[] {
  const byUri = new Map<string, DatasetView>();
  const entry = (uri: string): DatasetView => {
    let v = byUri.get(uri);
    if (!v) {
      v = { uri, producers: [], readers: [], consumers: [], eventCount: 0, lastEvent: null };
      byUri.set(uri, v);
    }
    return v;
  };
  for (const spec of specs) {
    for (const t of spec.tasks) {
      // Specs stored before datasets existed have no inlets/outlets.
      for (const uri of t.outlets ?? []) entry(uri).producers.push({ dagId: spec.dagId, taskId: t.taskId });
      for (const uri of t.inlets ?? []) entry(uri).readers.push({ dagId: spec.dagId, taskId: t.taskId });
    }
    if (spec.schedule.kind === "datasets") for (const uri of spec.schedule.uris) entry(uri).consumers.push({ dagId: spec.dagId });
  }
  for (const s of summaries) {
    const v = entry(s.uri);
    v.eventCount = s.eventCount;
    v.lastEvent = datasetEventView(s.lastEvent);
  }
  return [...byUri.values()].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}
