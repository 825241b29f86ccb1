import type { EpochMs } from "../model/records.js";

/** A failure of the machine rather than of a task: a log that cannot be written, a worker that cannot start. */
export interface InfraError {
  at: EpochMs;
  message: string;
}

/** Where the executor reports infrastructure failures; `/health` shows the last one. */
export interface InfraErrors {
  record(message: string, at: EpochMs): void;
  last(): InfraError | null;
}

/** Keeps the last infrastructure failure in memory (one process: the standalone's). */
export class LastInfraError implements InfraErrors {
  #last: InfraError | null = null;

  record(message: string, at: EpochMs): void {
    this.#last = { at, message };
  }

  last(): InfraError | null {
    return this.#last;
  }
}
