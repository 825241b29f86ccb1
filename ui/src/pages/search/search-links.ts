/** Where each kind of search hit opens: the same URLs the pages themselves use. */
import type { DagHit, DatasetHit, RunHit, TaskHit } from "../../api/search";

const enc = encodeURIComponent;

export const dagHref = (h: Pick<DagHit, "dagId">) => `/dags/${enc(h.dagId)}`;

/** A run opens in the DAG's grid with its run panel. */
export const runHref = (h: Pick<RunHit, "dagId" | "runId">) => `/dags/${enc(h.dagId)}/grid?run=${enc(h.runId)}`;

/** A task opens in the grid as the task panel of the DAG's newest run (`?run=…&task=…`); before any run, its row is selected. */
export const taskHref = (h: Pick<TaskHit, "dagId" | "taskId" | "latestRunId">) =>
  `/dags/${enc(h.dagId)}/grid?${h.latestRunId ? `run=${enc(h.latestRunId)}&` : ""}task=${enc(h.taskId)}`;

/** The Datasets page with the URI's events open. */
export const datasetHref = (h: Pick<DatasetHit, "uri">) => `/datasets?uri=${enc(h.uri)}`;
