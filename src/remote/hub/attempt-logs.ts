import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AttemptOutcome } from "../../core/ports/executor.js";
import type { Logger } from "../../core/ports/logger.js";
import { SecretMasker } from "../../core/secrets/mask-text.js";

/**
 * What the hub writes for remote attempts: their log bytes, appended to each attempt's
 * `logPath` (the file the UI and `baton tasks logs` read, as for a local attempt), and the
 * masking of the secrets the hub handed to each attempt, in those bytes and in its outcome.
 */
export class AttemptLogs {
  readonly #maskers = new Map<string, { masker: SecretMasker; workerId: string }>();
  /** Log folders known to exist (created once, not at every append; again if one was removed meanwhile). */
  readonly #dirs = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /** The secrets handed to this attempt (created on first use). */
  masker(attemptId: string, workerId: string): SecretMasker {
    let entry = this.#maskers.get(attemptId);
    if (entry === undefined) this.#maskers.set(attemptId, (entry = { masker: new SecretMasker(), workerId }));
    return entry.masker;
  }

  /** Appends `data` (masked) to the log file; a file that cannot be written is logged, not thrown. */
  append(attemptId: string, logPath: string, data: string): void {
    const masker = this.#maskers.get(attemptId)?.masker;
    const text = masker === undefined || masker.empty ? data : masker.mask(data);
    const dir = dirname(logPath);
    try {
      if (!this.#dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.#dirs.add(dir);
      }
      try {
        appendFileSync(logPath, text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        mkdirSync(dir, { recursive: true }); // the folder was removed meanwhile (retention)
        appendFileSync(logPath, text);
      }
    } catch (e) {
      this.logger.warn({ attemptId, logPath, err: e }, "the log of a remote attempt could not be written");
    }
  }

  /** The outcome with the attempt's secrets masked in its error text. */
  maskOutcome(attemptId: string, outcome: AttemptOutcome): AttemptOutcome {
    const masker = this.#maskers.get(attemptId)?.masker;
    if (masker === undefined || masker.empty) return outcome;
    if ("error" in outcome) return { ...outcome, error: masker.mask(outcome.error) };
    if (outcome.kind === "skipped") return { ...outcome, reason: masker.mask(outcome.reason) };
    return outcome;
  }

  forget(attemptId: string): void {
    this.#maskers.delete(attemptId);
  }

  forgetWorker(workerId: string): void {
    for (const [id, entry] of this.#maskers) if (entry.workerId === workerId) this.#maskers.delete(id);
  }
}
