import type { AttemptContext, AttemptRequest } from "../core/ports/executor.js";
import type { RunPart, WireRemoteAttempt } from "./protocol.js";

/**
 * Run parts over the worker channel (docs/workers.md, "Run parts"): what a run's attempts share —
 * the bundle, the run's context, the output limit — goes to a worker once per connection, and
 * each attempt names it by `part`. The API server keeps, per connection, the parts it sent (at
 * most {@link MAX_RUN_PARTS}; the oldest is forgotten, and sent again if named again); the
 * worker keeps what the server sent on that connection and forgets it all when the socket closes.
 */

/** Run parts one connection keeps at most. */
export const MAX_RUN_PARTS = 64;

/** JSON of contexts and of the requests' own fields, once per object (the scheduler hands one context object per run). */
const contextJsons = new WeakMap<AttemptContext, string>();
const ownJsons = new WeakMap<AttemptRequest, string>();

function contextJson(context: AttemptContext): string {
  let json = contextJsons.get(context);
  if (json === undefined) contextJsons.set(context, (json = JSON.stringify(context)));
  return json;
}

/** The request's JSON without its run part's fields (an object with at least `attemptId`). */
function ownJson(request: AttemptRequest): string {
  let json = ownJsons.get(request);
  if (json === undefined) {
    const { bundlePath: _b, context: _c, maxOutputBytes: _m, ...own } = request;
    ownJsons.set(request, (json = JSON.stringify(own)));
  }
  return json;
}

/**
 * `request` as JSON (the mailbox row's text), built from its own fields and its run's context,
 * each serialised once: the API server then sends the attempt by its part without serialising it again.
 */
export function requestJsonOf(request: AttemptRequest): string {
  const own = ownJson(request);
  return `${own.slice(0, -1)},"bundlePath":${JSON.stringify(request.bundlePath)},"context":${contextJson(request.context)},"maxOutputBytes":${request.maxOutputBytes}}`;
}

/** The API server's side, one per connection: which parts the worker has, by content. */
export class SentRunParts {
  /** Ref by the part's content (output limit, bundle, context JSON), oldest first. */
  readonly #refs = new Map<string, number>();
  #nextRef = 0;

  /**
   * The text of one `run` frame for these requests: the parts the worker does not have yet, the
   * attempts naming their parts, and the refs forgotten to stay within {@link MAX_RUN_PARTS}
   * (applied by the worker after the attempts).
   */
  runFrame(requests: readonly AttemptRequest[]): string {
    const parts: string[] = [];
    const forget: number[] = [];
    const attempts: string[] = [];
    for (const r of requests) {
      const context = contextJson(r.context);
      const key = `${r.maxOutputBytes}\n${r.bundlePath}\n${context}`;
      let ref = this.#refs.get(key);
      if (ref === undefined) {
        ref = this.#nextRef++;
        this.#refs.set(key, ref);
        parts.push(`{"ref":${ref},"bundlePath":${JSON.stringify(r.bundlePath)},"context":${context},"maxOutputBytes":${r.maxOutputBytes}}`);
        if (this.#refs.size > MAX_RUN_PARTS) {
          const [oldest, old] = this.#refs.entries().next().value as [string, number];
          this.#refs.delete(oldest);
          forget.push(old);
        }
      }
      attempts.push(`${ownJson(r).slice(0, -1)},"part":${ref}}`);
    }
    const partsField = parts.length > 0 ? `"parts":[${parts.join(",")}],` : "";
    const forgetField = forget.length > 0 ? `,"forget":[${forget.join(",")}]` : "";
    return `{"t":"run",${partsField}"attempts":[${attempts.join(",")}]${forgetField}}`;
  }
}

/** The worker's side, one per connection: the parts the server sent on it. */
export class ReceivedRunParts {
  readonly #parts = new Map<number, RunPart>();

  /** A new connection: the server starts from nothing. */
  clear(): void {
    this.#parts.clear();
  }

  add(parts: readonly RunPart[]): void {
    for (const p of parts) this.#parts.set(p.ref, p);
  }

  forget(refs: readonly number[]): void {
    for (const ref of refs) this.#parts.delete(ref);
  }

  /**
   * The whole request of an attempt as sent (one in the old form, whole, as it is); null when it
   * names a part this connection never sent. The attempts of a part share its context object.
   */
  whole(attempt: AttemptRequest | WireRemoteAttempt): AttemptRequest | null {
    if (!("part" in attempt)) return attempt;
    const part = this.#parts.get(attempt.part);
    if (part === undefined) return null;
    const { part: _ref, ...own } = attempt;
    return { ...own, bundlePath: part.bundlePath, context: part.context, maxOutputBytes: part.maxOutputBytes };
  }
}
