import { format } from "node:util";
import type { AttemptLog } from "./attempt-log.js";

type Write = typeof process.stdout.write;
type ConsoleMethod = "log" | "info" | "debug" | "warn" | "error";

/**
 * Sends `process.stdout`/`process.stderr` writes and `console.*` calls made while an attempt
 * runs to that attempt's log. `current` names the log of the running attempt, or undefined
 * outside attempts (output then goes where it always went). With `echo`, captured output is
 * also passed through. Returns a function that restores the streams and the console.
 *
 * The console is patched too, not only the streams, because a host may have replaced it with
 * one that does not write through `process.stdout` (test runners do).
 */
export function captureOutput(current: () => AttemptLog | undefined, echo: boolean): () => void {
  const restore = [
    patchStream(process.stdout, current, echo),
    patchStream(process.stderr, current, echo),
    ...(["log", "info", "debug", "warn", "error"] as const).map((m) => patchConsole(m, current, echo)),
  ];
  return () => {
    for (const r of restore.reverse()) r();
  };
}

function patchStream(stream: NodeJS.WriteStream, current: () => AttemptLog | undefined, echo: boolean): () => void {
  const original = stream.write;
  const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const log = current();
    if (log === undefined) return Reflect.apply(original, this, [chunk, ...rest]) as boolean;
    const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : undefined;
    const callback = rest.find((r) => typeof r === "function") as ((err?: Error | null) => void) | undefined;
    if (typeof chunk === "string") log.write(encoding && encoding !== "utf8" ? Buffer.from(chunk, encoding) : chunk);
    else if (chunk instanceof Uint8Array) log.write(chunk);
    else log.write(String(chunk));
    if (echo) {
      // Echoed output is masked like the log (a terminal is no safer than a log file).
      const shown = log.hasSecrets ? log.mask(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8")) : chunk;
      return Reflect.apply(original, this, [shown, ...rest]) as boolean;
    }
    if (callback) process.nextTick(callback, null);
    return true;
  };
  stream.write = write as Write;
  return () => {
    stream.write = original;
  };
}

function patchConsole(method: ConsoleMethod, current: () => AttemptLog | undefined, echo: boolean): () => void {
  const original = console[method];
  console[method] = function (this: Console, ...args: unknown[]): void {
    const log = current();
    if (log === undefined) Reflect.apply(original, this, args);
    else if (echo) Reflect.apply(original, this, log.hasSecrets ? [log.mask(format(...args))] : args);
    if (log !== undefined) log.write(`${format(...args)}\n`);
  };
  return () => {
    console[method] = original;
  };
}
