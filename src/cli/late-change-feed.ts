import type { ChangeEvent, ChangeFeed } from "../core/ports/change-feed.js";

/**
 * A ChangeFeed whose source is attached later: `baton standalone` serves its API (and its event
 * stream) before the scheduler that publishes the changes is built (issue 13: start fast).
 * Listeners that subscribed before `attach` are subscribed to the source when it comes; until
 * then they hear nothing (nothing is scheduled yet).
 *
 * @example
 * const late = lateChangeFeed();
 * const deps = apiDeps({ ..., changes: late.feed });
 * // … once the scheduler exists:
 * late.attach(scheduler);
 */
export function lateChangeFeed(): { feed: ChangeFeed; attach(source: ChangeFeed): void } {
  interface Entry {
    listener: (event: ChangeEvent) => void;
    off: (() => void) | null;
  }
  const entries = new Set<Entry>();
  let source: ChangeFeed | null = null;
  return {
    feed: {
      subscribe(listener) {
        const entry: Entry = { listener, off: source === null ? null : source.subscribe(listener) };
        entries.add(entry);
        return () => {
          entries.delete(entry);
          entry.off?.();
          entry.off = null;
        };
      },
    },
    attach(s) {
      if (source !== null) throw new Error("lateChangeFeed: a source is attached already");
      source = s;
      for (const entry of entries) entry.off = s.subscribe(entry.listener);
    },
  };
}
