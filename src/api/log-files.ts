import { open, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { Readable } from "node:stream";
import type { AttemptRecord, RunRecord } from "../core/model/records.js";

export const FOLLOW_POLL_MS = 200;

/** `<logsDir>/dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log` unless the attempt recorded its own path. */
export function attemptLogFile(
  logsDir: string,
  run: Pick<RunRecord, "dagId" | "runId">,
  taskId: string,
  tryNumber: number,
  attempt?: AttemptRecord,
  mapIndex = -1,
): string | null {
  if (attempt?.logPath) return attempt.logPath;
  const copy = mapIndex >= 0 ? [`map_index=${mapIndex}`] : [];
  const path = join(logsDir, `dag_id=${run.dagId}`, `run_id=${run.runId}`, `task_id=${taskId}`, ...copy, `attempt=${tryNumber}.log`);
  const inside = relative(resolve(logsDir), resolve(path));
  return inside.startsWith("..") || isAbsolute(inside) ? null : path;
}

/** The whole file as text; "" when the attempt wrote nothing (or the file is gone). */
export async function readLog(path: string | null): Promise<string> {
  if (path === null) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of tail(path, 0)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Streams `path` from the start, then its new bytes every `pollMs`, until `stillWriting()`
 * answers false (one last read follows) or the reader goes away.
 */
export function followLog(path: string | null, stillWriting: () => Promise<boolean>, pollMs = FOLLOW_POLL_MS): Readable {
  let stopped = false;
  const stream = new Readable({
    read() {},
    destroy(err, cb) {
      stopped = true;
      cb(err);
    },
  });
  const loop = async () => {
    let pos = 0;
    for (;;) {
      const writing = await stillWriting();
      if (path !== null)
        for await (const chunk of tail(path, pos)) {
          if (stopped) return;
          pos += chunk.length;
          stream.push(chunk);
        }
      if (!writing || stopped) break;
      await new Promise((r) => setTimeout(r, pollMs));
      if (stopped) return;
    }
    stream.push(null);
  };
  loop().catch((e: unknown) => stream.destroy(e as Error));
  return stream;
}

/** Bytes of `path` from `from` to its current end; nothing when it does not exist. */
async function* tail(path: string, from: number): AsyncGenerator<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return;
  }
  if (size <= from) return;
  const file = await open(path, "r");
  try {
    let pos = from;
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(64 * 1024, size - pos));
      const { bytesRead } = await file.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
