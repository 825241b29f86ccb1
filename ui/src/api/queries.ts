/** TanStack Query hooks, one per read route, and mutations for the commands the UI sends. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, keepPreviousData } from "@tanstack/react-query";
import { api, enc, qs, request, setCsrfToken, ApiError } from "./client";
import { keys } from "./keys";
import type {
  CommandResult,
  Connection,
  ConnectionCheck,
  DagDetail,
  DagList,
  DagSource,
  DagSummary,
  Grid,
  ImportError,
  LoginResponse,
  Me,
  Run,
  RunPage,
  TaskInstance,
  TaskInstanceDetail,
  Variable,
} from "./types";

/** null = not signed in (401). */
export function useMe() {
  return useQuery<Me | null>({
    queryKey: keys.me,
    queryFn: async ({ signal }) => {
      try {
        const me = await request<Me>("GET", "/auth/me", { signal, quiet401: true });
        setCsrfToken(me.csrfToken ?? null);
        return me;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string }) => request<LoginResponse>("POST", "/auth/login", { body, quiet401: true }),
    onSuccess: (res) => {
      setCsrfToken(res.csrfToken);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      qc.setQueryData<Me>(keys.me, { ...res.user, authRequired: true, csrfToken: res.csrfToken });
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>("/auth/logout"),
    onSettled: () => {
      setCsrfToken(null);
      qc.setQueryData(keys.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      void qc.invalidateQueries({ queryKey: keys.me });
    },
  });
}

export interface DagFilters {
  search?: string;
  tag?: string;
  paused?: "true" | "false" | "";
}

export function useDags(filters: DagFilters) {
  return useQuery({
    queryKey: keys.dagList(filters),
    queryFn: ({ signal }) => api.get<DagList>(`/dags${qs({ ...filters, limit: 500 })}`, signal),
    placeholderData: keepPreviousData,
  });
}

export function useImportErrors() {
  return useQuery({
    queryKey: keys.importErrors,
    queryFn: ({ signal }) => api.get<{ errors: ImportError[] }>("/import-errors", signal),
    select: (d) => d.errors,
  });
}

export function useDag(dagId: string) {
  return useQuery({
    queryKey: keys.detail(dagId),
    queryFn: ({ signal }) => api.get<DagDetail>(`/dags/${enc(dagId)}`, signal),
  });
}

export function useDagSource(dagId: string, version: string | null) {
  return useQuery({
    queryKey: keys.source(dagId, version),
    queryFn: ({ signal }) => api.get<DagSource>(`/dags/${enc(dagId)}/source${qs({ version })}`, signal),
    staleTime: version ? Infinity : 30_000,
  });
}

export function useGrid(dagId: string, limit = 25) {
  return useInfiniteQuery({
    queryKey: keys.grid(dagId, limit),
    queryFn: ({ signal, pageParam }) => api.get<Grid>(`/dags/${enc(dagId)}/grid${qs({ limit, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export interface RunFilters {
  state?: string;
  runType?: string;
  limit?: number;
}

export function useRuns(dagId: string, filters: RunFilters = {}) {
  return useInfiniteQuery({
    queryKey: keys.runs(dagId, filters),
    queryFn: ({ signal, pageParam }) => api.get<RunPage>(`/dags/${enc(dagId)}/runs${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useRun(dagId: string, runId: string | null) {
  return useQuery({
    queryKey: keys.run(dagId, runId ?? ""),
    queryFn: ({ signal }) => api.get<Run>(`/dags/${enc(dagId)}/runs/${enc(runId ?? "")}`, signal),
    enabled: runId !== null,
  });
}

export function useTaskInstances(dagId: string, runId: string | null) {
  return useQuery({
    queryKey: keys.taskInstances(dagId, runId ?? ""),
    queryFn: ({ signal }) => api.get<{ taskInstances: TaskInstance[] }>(`/dags/${enc(dagId)}/runs/${enc(runId ?? "")}/tasks`, signal),
    select: (d) => d.taskInstances,
    enabled: runId !== null,
  });
}

/** A task instance; `mapIndex` ≥ 0 picks a copy of a mapped task. */
export function useTaskInstance(dagId: string, runId: string, taskId: string, mapIndex = -1) {
  return useQuery({
    queryKey: keys.taskInstance(dagId, runId, taskId, mapIndex),
    queryFn: ({ signal }) =>
      api.get<TaskInstanceDetail>(`/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}${mapIndex >= 0 ? `?mapIndex=${mapIndex}` : ""}`, signal),
  });
}

/** Mutations: each invalidates the DAG's queries it can affect once the server answers. */
function useDagMutation<V, R>(dagId: string, fn: (v: V) => Promise<R>, extra?: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.dag(dagId) });
      void qc.invalidateQueries({ queryKey: keys.dagLists });
      extra?.();
    },
  });
}

export function usePauseDag() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ dagId, paused }: { dagId: string; paused: boolean }) => api.patch<DagSummary>(`/dags/${enc(dagId)}`, { paused }),
    onMutate: async ({ dagId, paused }) => {
      await qc.cancelQueries({ queryKey: keys.dagLists });
      qc.setQueriesData<DagList>({ queryKey: keys.dagLists }, (old) =>
        old ? { ...old, dags: old.dags.map((d) => (d.dagId === dagId ? { ...d, paused } : d)) } : old,
      );
      qc.setQueryData<DagDetail>(keys.detail(dagId), (old) => (old ? { ...old, paused } : old));
    },
    onSettled: (_r, _e, { dagId }) => {
      void qc.invalidateQueries({ queryKey: keys.dagLists });
      void qc.invalidateQueries({ queryKey: keys.detail(dagId) });
    },
  });
}

export interface TriggerBody {
  conf?: Record<string, unknown>;
  logicalDate?: string;
  runId?: string;
}

export function useTriggerRun(dagId: string) {
  return useDagMutation(dagId, (body: TriggerBody) => api.post<Run>(`/dags/${enc(dagId)}/runs`, body));
}

export type RunAction = "clear-failed" | "clear-all" | "mark-success" | "mark-failed" | "cancel";

export function useRunAction(dagId: string) {
  return useDagMutation(dagId, ({ runId, action }: { runId: string; action: RunAction }) => {
    const base = `/dags/${enc(dagId)}/runs/${enc(runId)}`;
    switch (action) {
      case "clear-failed":
        return api.post<CommandResult>(`${base}/clear`, { onlyFailed: true });
      case "clear-all":
        return api.post<CommandResult>(`${base}/clear`, { onlyFailed: false });
      case "mark-success":
        return api.patch<CommandResult>(base, { state: "success" });
      case "mark-failed":
        return api.patch<CommandResult>(base, { state: "failed" });
      case "cancel":
        return api.post<CommandResult>(`${base}/cancel`);
    }
  });
}

export type TaskAction = "clear" | "clear-downstream" | "mark-success" | "mark-failed";

export function useTaskAction(dagId: string) {
  return useDagMutation(dagId, ({ runId, taskId, action }: { runId: string; taskId: string; action: TaskAction }) => {
    const base = `/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}`;
    switch (action) {
      case "clear":
        return api.post<CommandResult>(`${base}/clear`, { downstream: false });
      case "clear-downstream":
        return api.post<CommandResult>(`${base}/clear`, { downstream: true });
      case "mark-success":
        return api.patch<CommandResult>(base, { state: "success" });
      case "mark-failed":
        return api.patch<CommandResult>(base, { state: "failed" });
    }
  });
}

/** Connections and variables (Admin): reads need op, writes admin; answers never hold secrets. */
const secretKeys = { connections: ["connections"] as const, variables: ["variables"] as const };

export function useConnections() {
  return useQuery({
    queryKey: secretKeys.connections,
    queryFn: ({ signal }) => api.get<{ connections: Connection[] }>("/connections", signal),
    select: (d) => d.connections,
  });
}

/** The writable fields; `password` omitted keeps the stored one, null clears it. */
export interface ConnectionBody {
  type?: string;
  host?: string | null;
  port?: number | null;
  login?: string | null;
  password?: string | null;
  schema?: string | null;
  extra?: Record<string, string>;
  description?: string;
}

export function useSaveConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body, create }: { id: string; body: ConnectionBody; create: boolean }) =>
      create ? api.post<Connection>("/connections", { id, ...body }) : api.patch<Connection>(`/connections/${enc(id)}`, body),
    onSettled: () => void qc.invalidateQueries({ queryKey: secretKeys.connections }),
  });
}

export function useDeleteConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<void>(`/connections/${enc(id)}`),
    onSettled: () => void qc.invalidateQueries({ queryKey: secretKeys.connections }),
  });
}

export function useTestConnection() {
  return useMutation({ mutationFn: (id: string) => api.post<ConnectionCheck>(`/connections/${enc(id)}/test`) });
}

export function useVariables() {
  return useQuery({
    queryKey: secretKeys.variables,
    queryFn: ({ signal }) => api.get<{ variables: Variable[] }>("/variables", signal),
    select: (d) => d.variables,
  });
}

export function useSaveVariable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body, create }: { key: string; body: { value?: string; description?: string }; create: boolean }) =>
      create ? api.post<Variable>("/variables", { key, ...body }) : api.patch<Variable>(`/variables/${enc(key)}`, body),
    onSettled: () => void qc.invalidateQueries({ queryKey: secretKeys.variables }),
  });
}

export function useDeleteVariable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => api.del<void>(`/variables/${enc(key)}`),
    onSettled: () => void qc.invalidateQueries({ queryKey: secretKeys.variables }),
  });
}
