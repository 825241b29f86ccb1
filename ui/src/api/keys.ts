/**
 * Query keys, nested by DAG and run so that a live `change` event invalidates only what it
 * touches: everything about one DAG starts with ["dag", dagId], one run with
 * ["dag", dagId, "run", runId].
 */
export const keys = {
  me: ["me"] as const,
  dagList: (filters: object) => ["dags", filters] as const,
  dagLists: ["dags"] as const,
  importErrors: ["import-errors"] as const,
  dag: (dagId: string) => ["dag", dagId] as const,
  detail: (dagId: string) => ["dag", dagId, "detail"] as const,
  grid: (dagId: string, limit: number) => ["dag", dagId, "grid", limit] as const,
  grids: (dagId: string) => ["dag", dagId, "grid"] as const,
  runs: (dagId: string, filters: object = {}) => ["dag", dagId, "runs", filters] as const,
  runLists: (dagId: string) => ["dag", dagId, "runs"] as const,
  run: (dagId: string, runId: string) => ["dag", dagId, "run", runId] as const,
  taskInstances: (dagId: string, runId: string) => ["dag", dagId, "run", runId, "tasks"] as const,
  taskInstance: (dagId: string, runId: string, taskId: string, mapIndex = -1) => ["dag", dagId, "run", runId, "task", taskId, mapIndex] as const,
  source: (dagId: string, version: string | null) => ["dag", dagId, "source", version ?? "latest"] as const,
};
