import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where in a user's file something was declared (1-based line and column). */
export interface CallSite {
  file: string;
  line: number;
  column: number;
}

// "    at fn (file:///a/b.ts:12:5)", "    at /a/b.js:3:1", "    at async file:///a/b.ts:1:1"
const FRAME = /(?:\(|at (?:async )?)((?:file:\/\/|\/|[A-Za-z]:[\\/])[^()]*?):(\d+):(\d+)\)?\s*$/;

/** The file locations in a V8 stack trace, innermost first (node: internals are not paths). */
export function parseStackFrames(stack: string | undefined): CallSite[] {
  const frames: CallSite[] = [];
  for (const text of (stack ?? "").split("\n")) {
    const m = FRAME.exec(text);
    if (!m) continue;
    const raw = m[1]!;
    let file = raw;
    if (raw.startsWith("file://")) {
      try {
        file = fileURLToPath(raw);
      } catch {
        continue;
      }
    }
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/**
 * The SDK's own folders, compiled and source: with source maps on, frames in dist/src/sdk/*.js
 * are reported as src/sdk/*.ts.
 */
const SDK_DIRS = ((): string[] => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const dist = `${sep}dist${sep}src${sep}sdk`;
  const src = `${sep}src${sep}sdk`;
  // Built-in operators declare tasks on the user's behalf: their frames are not the user's line either.
  const withOperators = (sdkDirs: string[]) => [...sdkDirs, ...sdkDirs.map((d) => d.replace(`${sep}sdk${sep}`, `${sep}operators${sep}`))];
  // The bundled build (scripts/bundle.mjs) puts shared code, the SDK's included, in dist/src/_chunks/: Baton's, never the user's.
  if (dir.endsWith(dist)) return [...withOperators([dir + sep, dir.slice(0, -dist.length) + src + sep]), dir.slice(0, -"sdk".length) + "_chunks" + sep];
  if (dir.endsWith(src)) return withOperators([dir + sep, dir.slice(0, -src.length) + dist + sep]);
  return [dir + sep];
})();

function isSdkFile(file: string): boolean {
  return SDK_DIRS.some((d) => file.startsWith(d)) && !/\.test(-d)?\.[cm]?[jt]s$/.test(file);
}

/**
 * A call site resolved on first use. Capturing an Error is cheap; formatting its stack is not
 * (tens of µs), and a worker importing a 2,000-task DAG would pay it for every task although
 * only the DAG processor ever reads a line. Fields are null when no user frame is found.
 */
export class LazyCallSite {
  #error: Error | null;
  #site: CallSite | null = null;

  constructor(error: Error) {
    this.#error = error;
  }

  #resolve(): CallSite | null {
    if (this.#error) {
      this.#site = parseStackFrames(this.#error.stack).find((f) => !isSdkFile(f.file)) ?? null;
      this.#error = null;
    }
    return this.#site;
  }

  get file(): string | null {
    return this.#resolve()?.file ?? null;
  }

  get line(): number | null {
    return this.#resolve()?.line ?? null;
  }

  get column(): number | null {
    return this.#resolve()?.column ?? null;
  }
}

/** The first stack frame outside the SDK: the user's `dag(...)`/`task(...)` call (resolved lazily). */
export function userCallSite(): LazyCallSite {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return new LazyCallSite(error);
}
