import { describe, expect, it } from "vitest";
import type { ChangeEvent, ChangeFeed } from "../core/ports/change-feed.js";
import { lateChangeFeed } from "./late-change-feed.js";

/** A source that records its listeners and lets the test publish. */
function source(): ChangeFeed & { publish(e: ChangeEvent): void; count(): number } {
  const listeners = new Set<(e: ChangeEvent) => void>();
  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish: (e) => listeners.forEach((l) => l(e)),
    count: () => listeners.size,
  };
}
const dag = (dagId: string): ChangeEvent => ({ kind: "dag", dagId });

describe("lateChangeFeed", () => {
  it("subscribes listeners that came before the source to it once attached, and later ones at once", () => {
    const late = lateChangeFeed();
    const early: ChangeEvent[] = [];
    const after: ChangeEvent[] = [];
    late.feed.subscribe((e) => early.push(e));
    const src = source();
    late.attach(src);
    late.feed.subscribe((e) => after.push(e));
    src.publish(dag("a"));
    expect(early).toEqual([dag("a")]);
    expect(after).toEqual([dag("a")]);
  });

  it("unsubscribing before or after the attach leaves no listener on the source", () => {
    const late = lateChangeFeed();
    const heard: ChangeEvent[] = [];
    const offBefore = late.feed.subscribe((e) => heard.push(e));
    offBefore();
    const src = source();
    late.attach(src);
    expect(src.count()).toBe(0);
    const offAfter = late.feed.subscribe((e) => heard.push(e));
    expect(src.count()).toBe(1);
    offAfter();
    expect(src.count()).toBe(0);
    src.publish(dag("a"));
    expect(heard).toEqual([]);
  });

  it("takes one source only", () => {
    const late = lateChangeFeed();
    late.attach(source());
    expect(() => late.attach(source())).toThrow(/attached already/);
  });
});
