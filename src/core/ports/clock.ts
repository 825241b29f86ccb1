/** Time is injected so tests can jump it rather than sleep. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // Not unref'd: a pending retry or tick is work the process must stay alive for.
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
