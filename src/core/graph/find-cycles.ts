import type { TaskSpec } from "../model/dag-spec.js";

/**
 * The dependency cycles among tasks, each as a path that returns to its start
 * (`["a", "b", "a"]`). Self-dependencies and unknown ids are left to other checks. Iterative
 * DFS, so deep chains do not overflow the stack; reports one cycle per back edge found.
 */
export function findCycles(tasks: readonly TaskSpec[]): string[][] {
  const upstream = new Map<string, string[]>();
  for (const t of tasks) if (!upstream.has(t.taskId)) upstream.set(t.taskId, t.upstream);
  const downstream = new Map<string, string[]>([...upstream.keys()].map((id) => [id, []]));
  for (const [id, ups] of upstream) {
    for (const u of new Set(ups)) if (u !== id && downstream.has(u)) downstream.get(u)!.push(id);
  }
  const color = new Map<string, "grey" | "black">();
  const cycles: string[][] = [];
  for (const root of upstream.keys()) {
    if (color.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    color.set(root, "grey");
    while (path.length > 0) {
      const id = path[path.length - 1]!;
      const children = downstream.get(id)!;
      const i = next[next.length - 1]!;
      if (i >= children.length) {
        color.set(id, "black");
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const child = children[i]!;
      const c = color.get(child);
      if (c === "grey") cycles.push([...path.slice(path.indexOf(child)), child]);
      else if (c === undefined) {
        color.set(child, "grey");
        path.push(child);
        next.push(0);
      }
    }
  }
  return cycles;
}
