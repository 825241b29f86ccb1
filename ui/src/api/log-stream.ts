/**
 * Reads a task attempt's log. While the attempt runs, `follow=true` streams it; the text
 * arrives chunk by chunk through a ReadableStream reader. Otherwise one plain fetch.
 */
import { useEffect, useState } from "react";
import { API_BASE, enc, headersFor, qs, toApiError } from "./client";

export interface LogState {
  text: string;
  status: "loading" | "streaming" | "done" | "error";
  error?: string;
}

const MAX_CHARS = 2_000_000; // keep the tail of very large logs

function taskLogUrl(dagId: string, runId: string, taskId: string, tryNumber: number, follow: boolean, mapIndex: number): string {
  return `${API_BASE}/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}/logs${qs({ try: tryNumber, follow: follow || undefined, mapIndex: mapIndex >= 0 ? mapIndex : undefined })}`;
}

/** The whole log of one try as it is now (not only the tail the live view keeps). */
export async function fetchTaskLog(dagId: string, runId: string, taskId: string, tryNumber: number, mapIndex = -1): Promise<string> {
  const res = await fetch(taskLogUrl(dagId, runId, taskId, tryNumber, false, mapIndex), { credentials: "include", headers: headersFor("GET", false) });
  if (!res.ok) throw await toApiError(res, false);
  return res.text();
}

export function useTaskLog(dagId: string, runId: string, taskId: string, tryNumber: number | null, follow: boolean, mapIndex = -1): LogState {
  const [state, setState] = useState<LogState>({ text: "", status: "loading" });

  useEffect(() => {
    if (tryNumber === null || tryNumber < 1) {
      setState({ text: "", status: "done" });
      return;
    }
    const ctrl = new AbortController();
    setState({ text: "", status: "loading" });
    const url = taskLogUrl(dagId, runId, taskId, tryNumber, follow, mapIndex);
    (async () => {
      const res = await fetch(url, { credentials: "include", headers: headersFor("GET", false), signal: ctrl.signal });
      if (!res.ok) throw await toApiError(res, false);
      if (!follow || !res.body) {
        setState({ text: await res.text(), status: "done" });
        return;
      }
      setState({ text: "", status: "streaming" });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        setState((s) => {
          const text = s.text + value;
          return { text: text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text, status: "streaming" };
        });
      }
      setState((s) => ({ ...s, status: "done" }));
    })().catch((e: unknown) => {
      if ((e as Error).name === "AbortError") return;
      setState((s) => ({ ...s, status: "error", error: (e as Error).message }));
    });
    return () => ctrl.abort();
  }, [dagId, runId, taskId, tryNumber, follow, mapIndex]);

  return state;
}
