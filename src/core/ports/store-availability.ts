import type { EpochMs } from "../model/records.js";

/** Whether the store answers: `unavailable` while statements wait on a lock held elsewhere. */
export type StoreAvailabilityState =
  | { status: "ok" }
  | {
      status: "unavailable";
      /** When the first statement still unanswered started waiting. */
      since: EpochMs;
      /** The database's last error, e.g. "database is locked". */
      error: string;
    };

/** Read by `/health`; the store's adapter keeps it. */
export interface StoreAvailability {
  current(): StoreAvailabilityState;
  /** Calls `listener` at every change of status; returns the unsubscribe function. */
  subscribe(listener: (state: StoreAvailabilityState) => void): () => void;
}

/** For stores that never wait on a lock of their own (PostgreSQL's waits are the server's). */
export const alwaysAvailable: StoreAvailability = {
  current: () => ({ status: "ok" }),
  subscribe: () => () => {},
};
