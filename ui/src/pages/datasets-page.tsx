/** Datasets: who writes, reads and waits for each, its latest update, and a dataset's recent events. */
import { useQuery } from "@tanstack/react-query";
import { api, qs } from "../api/client";
import type { components } from "../api/schema";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { fmtDate, fmtRelative } from "../lib/format";
import { Link, useSearchParam } from "../router";

type Dataset = components["schemas"]["Dataset"];
type DatasetEvent = components["schemas"]["DatasetEvent"];

function useDatasets() {
  return useQuery({
    queryKey: ["datasets"],
    queryFn: ({ signal }) => api.get<{ datasets: Dataset[] }>("/datasets", signal),
    select: (d) => d.datasets,
    refetchInterval: 10_000,
  });
}

function useDatasetEvents(uri: string | null) {
  return useQuery({
    queryKey: ["datasets", "events", uri],
    queryFn: ({ signal }) => api.get<{ events: DatasetEvent[] }>(`/datasets/events${qs({ uri, limit: 50 })}`, signal),
    select: (d) => d.events,
    enabled: uri !== null,
    refetchInterval: 10_000,
  });
}

export function DatasetsPage() {
  const datasets = useDatasets();
  const [search, setSearch] = useSearchParam();
  const selected = search.get("uri");
  return (
    <>
      <h1>Datasets</h1>
      <div className="card">
        {datasets.isPending ? (
          <SkeletonRows rows={4} />
        ) : datasets.isError ? (
          <ErrorState error={datasets.error} onRetry={() => void datasets.refetch()} />
        ) : datasets.data.length === 0 ? (
          <EmptyState icon={<Icon.file size={22} />} title="No datasets yet">
            <p className="small">
              Give a task <code>outlets: ["warehouse://sales"]</code>, and schedule a DAG with <code>schedule: {"{ datasets: [...] }"}</code> to run it when
              they are updated.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="datasets-table">
              <thead>
                <tr>
                  <th scope="col">Dataset</th>
                  <th scope="col">Produced by</th>
                  <th scope="col">Read by</th>
                  <th scope="col">Triggers</th>
                  <th scope="col" className="num">
                    Events
                  </th>
                  <th scope="col">Last updated</th>
                </tr>
              </thead>
              <tbody>
                {datasets.data.map((d) => (
                  <tr key={d.uri} aria-selected={d.uri === selected} data-testid={`dataset-row-${d.uri}`}>
                    <td>
                      <button
                        type="button"
                        className="link mono small"
                        style={{ background: "none", border: 0, padding: 0, cursor: "pointer", textAlign: "left" }}
                        onClick={() => setSearch({ uri: d.uri === selected ? null : d.uri })}
                      >
                        {d.uri}
                      </button>
                    </td>
                    <td>
                      {d.producers.map((p) => (
                        <TaskLink key={`${p.dagId}.${p.taskId}`} dagId={p.dagId} taskId={p.taskId} />
                      ))}
                    </td>
                    <td>
                      {d.readers.map((p) => (
                        <TaskLink key={`${p.dagId}.${p.taskId}`} dagId={p.dagId} taskId={p.taskId} />
                      ))}
                    </td>
                    <td>
                      {d.consumers.map((c) => (
                        <div key={c.dagId}>
                          <Link className="link small" to={`/dags/${encodeURIComponent(c.dagId)}`}>
                            {c.dagId}
                          </Link>
                        </div>
                      ))}
                    </td>
                    <td className="num">{d.eventCount}</td>
                    <td className="nowrap" title={fmtDate(d.lastEvent?.createdAt)}>
                      {d.lastEvent ? fmtRelative(d.lastEvent.createdAt) : "never"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {selected !== null && <DatasetEvents uri={selected} />}
    </>
  );
}

function TaskLink({ dagId, taskId }: { dagId: string; taskId: string }) {
  return (
    <div>
      <Link className="link small" to={`/dags/${encodeURIComponent(dagId)}`}>
        {dagId}
      </Link>
      <span className="muted small"> · {taskId}</span>
    </div>
  );
}

function DatasetEvents({ uri }: { uri: string }) {
  const events = useDatasetEvents(uri);
  return (
    <div className="card" data-testid="dataset-events">
      <h2 className="mono small">{uri}</h2>
      {events.isPending ? (
        <SkeletonRows rows={3} />
      ) : events.isError ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : events.data.length === 0 ? (
        <p className="muted small">No events yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Source</th>
                <th scope="col">Extra</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{fmtDate(e.createdAt)}</td>
                  <td>
                    {e.source ? (
                      <Link className="link small" to={`/dags/${encodeURIComponent(e.source.dagId)}/grid?run=${encodeURIComponent(e.source.runId)}`}>
                        {e.source.dagId} · {e.source.taskId} (try {e.source.tryNumber})
                      </Link>
                    ) : (
                      <span className="badge">external</span>
                    )}
                  </td>
                  <td>
                    <code className="small">{Object.keys(e.extra).length > 0 ? JSON.stringify(e.extra) : ""}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
