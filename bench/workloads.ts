/** Generates the benchmark DAG files (no-op function tasks). */
export const WORKLOADS = {
  chain: { dagId: "bench_chain", tasks: 200 },
  fanout: { dagId: "bench_fanout", tasks: 2000 },
  layered: { dagId: "bench_layered", layers: 10, width: 100 },
  mapped: { dagId: "bench_mapped", copies: 1000 },
} as const;

/** A list task, a task mapped over it (one copy per element) and a task summing the copies' results. */
export function mappedDag(n: number, dagId: string = WORKLOADS.mapped.dagId): string {
  return `import { dag } from "baton";
export default dag({ id: "${dagId}" }, (d) => {
  const xs = d.task("list", () => Array.from({ length: ${n} }, (_, i) => i));
  const ys = d.task("copy", { map: { x: xs }, maxMapLength: ${n} }, async (ctx, { x }) => x);
  d.task("sum", { inputs: { ys } }, (ctx, { ys }) => ys.reduce((a, b) => a + b, 0));
});
`;
}

export function chainDag(n: number, dagId: string = WORKLOADS.chain.dagId): string {
  return `import { dag, task } from "baton";
export default dag({ id: "${dagId}" }, () => {
  let prev = task("t0", async () => {});
  for (let i = 1; i < ${n}; i++) prev = prev.then(task("t" + i, async () => {}));
});
`;
}

export function fanoutDag(n: number, dagId: string = WORKLOADS.fanout.dagId): string {
  return `import { dag, task } from "baton";
export default dag({ id: "${dagId}" }, () => {
  for (let i = 0; i < ${n}; i++) task("t" + i, async () => {});
});
`;
}

export function layeredDag(layers: number, width: number, dagId: string = WORKLOADS.layered.dagId): string {
  return `import { dag, task, chain } from "baton";
export default dag({ id: "${dagId}" }, () => {
  let prev = [];
  for (let l = 0; l < ${layers}; l++) {
    const layer = [];
    for (let i = 0; i < ${width}; i++) layer.push(task("l" + l + "_" + i, { after: prev }, async () => {}));
    prev = layer;
  }
});
`;
}

export function warmupDag(): string {
  return `import { dag, task } from "baton";
export default dag({ id: "bench_warmup" }, () => {
  for (let i = 0; i < 50; i++) task("w" + i, async () => {});
});
`;
}
