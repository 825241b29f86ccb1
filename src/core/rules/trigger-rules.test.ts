import { describe, expect, it } from "vitest";
import { TRIGGER_RULES, type TaskState, type TriggerRule } from "../model/states.js";
import { countUpstream, evaluateTriggerRule, type TriggerDecision } from "./trigger-rules.js";

/**
 * The oracle: Airflow's table (reference A2) transcribed as readable predicates over the list of
 * upstream states, first matching row wins, otherwise "wait". Written apart from the
 * implementation, which works on counts. One deliberate difference from Airflow (issue 8, item
 * 10): all_success skips only once every upstream is done, so that a later failure still wins.
 */
type Row = [TriggerDecision, (u: Upstreams) => boolean];
class Upstreams {
  constructor(readonly states: TaskState[]) {}
  any(...s: TaskState[]): boolean {
    return this.states.some((x) => s.includes(x));
  }
  all(...s: TaskState[]): boolean {
    return this.states.every((x) => s.includes(x));
  }
  allDone(): boolean {
    return this.all("success", "failed", "skipped", "upstream_failed");
  }
}
const SPEC: Record<TriggerRule, Row[]> = {
  all_success: [
    ["upstream_failed", (u) => u.any("failed", "upstream_failed")],
    ["skip", (u) => u.allDone() && u.any("skipped")],
    ["run", (u) => u.all("success")],
  ],
  all_failed: [
    ["skip", (u) => u.any("success", "skipped")],
    ["run", (u) => u.all("failed", "upstream_failed")],
  ],
  all_done: [["run", (u) => u.allDone()]],
  all_done_min_one_success: [
    ["run", (u) => u.allDone() && u.any("success")],
    ["upstream_failed", (u) => u.allDone() && u.any("failed", "upstream_failed")],
    ["skip", (u) => u.allDone()],
  ],
  one_success: [
    ["run", (u) => u.any("success")],
    ["skip", (u) => u.all("skipped")],
    ["upstream_failed", (u) => u.allDone()],
  ],
  one_failed: [
    ["run", (u) => u.any("failed", "upstream_failed")],
    ["skip", (u) => u.allDone()],
  ],
  one_done: [
    ["run", (u) => u.any("success", "failed")],
    ["skip", (u) => u.allDone()],
  ],
  none_failed: [
    ["upstream_failed", (u) => u.any("failed", "upstream_failed")],
    ["run", (u) => u.all("success", "skipped")],
  ],
  none_failed_min_one_success: [
    ["upstream_failed", (u) => u.any("failed", "upstream_failed")],
    ["skip", (u) => u.all("skipped")],
    ["run", (u) => u.all("success", "skipped")],
  ],
  none_skipped: [
    ["skip", (u) => u.any("skipped")],
    ["run", (u) => u.allDone()],
  ],
  all_skipped: [
    ["skip", (u) => u.any("success", "failed", "upstream_failed")],
    ["run", (u) => u.all("skipped")],
  ],
  always: [["run", () => true]],
  // A teardown's rule; with no setups it is all_done (its setups: the named cases below).
  all_done_setup_success: [["run", (u) => u.allDone()]],
};

function oracle(rule: TriggerRule, states: TaskState[]): TriggerDecision {
  const live = new Upstreams(states.filter((s) => s !== "removed"));
  if (live.states.length === 0) return "run";
  return SPEC[rule].find(([, when]) => when(live))?.[0] ?? "wait";
}

const STATES: TaskState[] = ["none", "running", "success", "failed", "skipped", "upstream_failed"];
function combinations(n: number, states: TaskState[] = STATES): TaskState[][] {
  if (n === 0) return [[]];
  return combinations(n - 1, states).flatMap((rest) => states.map((s) => [s, ...rest]));
}
const decide = (rule: TriggerRule, states: TaskState[]) => evaluateTriggerRule(rule, countUpstream(states));

describe("evaluateTriggerRule against the spec table", () => {
  for (const rule of TRIGGER_RULES) {
    for (const n of [1, 2, 3]) {
      it(`${rule}, every combination of ${n} upstream(s)`, () => {
        const mismatches = combinations(n)
          .map((states) => ({ states: states.join(","), got: decide(rule, states), want: oracle(rule, states) }))
          .filter((m) => m.got !== m.want);
        expect(mismatches).toEqual([]);
      });
    }
  }

  it("every rule with removed upstreams mixed in (2 upstreams + removed)", () => {
    const withRemoved = combinations(2).map((s) => [...s, "removed" as const]);
    for (const rule of TRIGGER_RULES) {
      for (const states of withRemoved) expect([rule, states, decide(rule, states)]).toEqual([rule, states, oracle(rule, states)]);
    }
  });

  it("the oracle is not trivially agreeing: it distinguishes every decision", () => {
    const seen = new Set(TRIGGER_RULES.flatMap((r) => combinations(2).map((s) => oracle(r, s))));
    expect([...seen].sort()).toEqual(["run", "skip", "upstream_failed", "wait"]);
  });
});

describe("evaluateTriggerRule named cases", () => {
  it("all_done_setup_success (a teardown): waits for every upstream, runs if one setup succeeded, skips if all were skipped, else upstream_failed", () => {
    const teardown = (states: TaskState[], setups: TaskState[]) =>
      evaluateTriggerRule("all_done_setup_success", countUpstream([...states, ...setups]), {
        total: setups.length,
        success: setups.filter((s) => s === "success").length,
        skipped: setups.filter((s) => s === "skipped").length,
      });
    expect(teardown(["failed"], ["success"])).toBe("run"); // the work failed: the teardown still runs
    expect(teardown(["running"], ["success"])).toBe("wait");
    expect(teardown(["upstream_failed"], ["failed", "success"])).toBe("run");
    expect(teardown(["skipped"], ["skipped"])).toBe("skip");
    expect(teardown(["upstream_failed"], ["failed"])).toBe("upstream_failed");
    expect(teardown(["upstream_failed"], ["failed", "skipped"])).toBe("upstream_failed");
    expect(teardown(["success"], [])).toBe("run");
    expect(teardown(["failed"], [])).toBe("run");
  });

  it("a task with no upstream runs at once, whatever its rule", () => {
    for (const rule of TRIGGER_RULES) expect(decide(rule, [])).toBe("run");
  });

  it("removed upstreams are subtracted: all_success with [success, removed] runs", () => {
    expect(decide("all_success", ["success", "removed"])).toBe("run");
    expect(decide("all_failed", ["removed", "removed"])).toBe("run");
  });

  it("precedence: all_success with a failure and a skip visible → upstream_failed (failure wins)", () => {
    expect(decide("all_success", ["skipped", "failed"])).toBe("upstream_failed");
    expect(decide("all_success", ["skipped", "upstream_failed", "running"])).toBe("upstream_failed");
  });

  it("regression issue-8-10: all_success with a skipped upstream waits for the others (a later failure wins)", () => {
    expect(decide("all_success", ["skipped", "running", "none"])).toBe("wait");
    expect(decide("all_success", ["skipped", "running", "failed"])).toBe("upstream_failed");
    expect(decide("all_success", ["skipped", "success", "success"])).toBe("skip");
  });

  it("regression airflow-59925: all_done_min_one_success runs with a skipped upstream and one success", () => {
    expect(decide("all_done_min_one_success", ["skipped", "success"])).toBe("run");
    expect(decide("all_done_min_one_success", ["failed", "success", "skipped"])).toBe("run");
    expect(decide("all_done_min_one_success", ["skipped", "running"])).toBe("wait");
    expect(decide("all_done_min_one_success", ["skipped", "skipped"])).toBe("skip");
    expect(decide("all_done_min_one_success", ["skipped", "failed"])).toBe("upstream_failed");
  });

  it("one_success runs as soon as one upstream succeeds, not waiting for the rest", () => {
    expect(decide("one_success", ["success", "running", "none"])).toBe("run");
    expect(decide("one_success", ["failed", "skipped"])).toBe("upstream_failed");
  });

  it("one_done does not count upstream_failed as done-by-running", () => {
    expect(decide("one_done", ["upstream_failed", "upstream_failed"])).toBe("skip");
    expect(decide("one_done", ["upstream_failed", "failed"])).toBe("run");
  });

  it("none_failed runs when all upstreams are skipped; none_failed_min_one_success skips", () => {
    expect(decide("none_failed", ["skipped", "skipped"])).toBe("run");
    expect(decide("none_failed_min_one_success", ["skipped", "skipped"])).toBe("skip");
    expect(decide("none_failed_min_one_success", ["skipped", "success"])).toBe("run");
  });

  it("none_skipped runs even when upstreams failed", () => {
    expect(decide("none_skipped", ["failed", "success"])).toBe("run");
  });

  it("unfinished states other than running (queued, up_for_retry) count as not done", () => {
    expect(decide("all_done", ["success", "up_for_retry"])).toBe("wait");
    expect(decide("one_failed", ["queued", "success"])).toBe("wait");
  });
});

/** Every ordering of the given items (n ≤ 3 here, so at most 6). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}
const FINISHED: TaskState[] = ["success", "failed", "skipped", "upstream_failed"];

/**
 * Feeds upstream completions one at a time (the others still running) and returns the first
 * decision that is not "wait", as the scheduler would apply it. The task is decided once.
 */
function decidedWhenFedInOrder(rule: TriggerRule, finals: TaskState[], order: number[]): TriggerDecision {
  const states: TaskState[] = finals.map(() => "running");
  for (const i of order) {
    states[i] = finals[i]!;
    const d = decide(rule, states);
    if (d !== "wait") return d;
  }
  return "wait";
}

describe("evaluateTriggerRule is independent of the order upstreams finish in (issue 8, item 10)", () => {
  for (const rule of TRIGGER_RULES) {
    it(`${rule}: every final combination of 1–3 upstreams, fed in every order, gives one decision`, () => {
      const mismatches: string[] = [];
      for (const n of [1, 2, 3]) {
        for (const finals of combinations(n, FINISHED)) {
          const want = decide(rule, finals);
          const orders = permutations(finals.map((_, i) => i));
          for (const order of orders) {
            const got = decidedWhenFedInOrder(rule, finals, order);
            if (got !== want) mismatches.push(`${finals.join(",")} in order ${order.join(">")}: ${got}, all done: ${want}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("all_success: skipped then failed, and failed then skipped, both end upstream_failed", () => {
    expect(decidedWhenFedInOrder("all_success", ["skipped", "failed"], [0, 1])).toBe("upstream_failed");
    expect(decidedWhenFedInOrder("all_success", ["skipped", "failed"], [1, 0])).toBe("upstream_failed");
    expect(decidedWhenFedInOrder("all_success", ["skipped", "upstream_failed"], [0, 1])).toBe("upstream_failed");
  });
});

describe("countUpstream", () => {
  it("counts finished states and totals everything", () => {
    expect(countUpstream(["success", "skipped", "failed", "upstream_failed", "removed", "running", "none", "queued"])).toEqual({
      total: 8,
      success: 1,
      skipped: 1,
      failed: 1,
      upstreamFailed: 1,
      removed: 1,
    });
  });
});
