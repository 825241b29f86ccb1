import { DagDefinitionError } from "../core/errors.js";
import { userCallSite } from "./call-site.js";
import { asNode, type TaskRef } from "./task-ref.js";

type Link = TaskRef<unknown> | readonly TaskRef<unknown>[];

/**
 * Airflow's `chain`: each item runs after the one before it. A task next to a list fans out to
 * (or in from) every task of the list; two neighbouring lists must have the same length and are
 * connected pairwise (`[a, b], [c, d]` gives a→c and b→d).
 *
 * @example
 * chain(extract, [clean, validate], load); // extract → clean, validate → load
 */
export function chain(...items: Link[]): void {
  for (let i = 0; i + 1 < items.length; i++) {
    const up = items[i]!;
    const down = items[i + 1]!;
    if (isList(up) && isList(down)) {
      if (up.length !== down.length) {
        const site = userCallSite();
        throw new DagDefinitionError(
          `chain(): neighbouring lists must have the same length to be connected pairwise, got ${up.length} and ${down.length}; ` +
            `put a single task between them or connect them with then()`,
          site?.file ?? null,
          site?.line ?? null,
        );
      }
      up.forEach((u, j) => asNode(u, "chain()").then(asNode(down[j], "chain()")));
    } else if (isList(up)) {
      const d = asNode(down, "chain()");
      for (const u of up) asNode(u, "chain()").then(d);
    } else {
      const u = asNode(up, "chain()");
      for (const d of isList(down) ? down : [down]) u.then(asNode(d, "chain()"));
    }
  }
}

function isList(link: Link): link is readonly TaskRef<unknown>[] {
  return Array.isArray(link);
}
