/** Generates the benchmark DAG files (no-op function tasks). */
export const WORKLOADS = {
  chain: { dagId: "bench_chain", tasks: 200 },
  fanout: { dagId: "bench_fanout", tasks: 2000 },
  layered: { dagId: "bench_layered", layers: 10, width: 100 },
} as const;

export function chainDag(n: number): string {
  return `import { dag, task } from "baton";
export default dag({ id: "${WORKLOADS.chain.dagId}" }, () => {
  let prev = task("t0", async () => {});
  for (let i = 1; i < ${n}; i++) prev = prev.then(task("t" + i, async () => {}));
});
`;
}

export function fanoutDag(n: number): string {
  return `import { dag, task } from "baton";
export default dag({ id: "${WORKLOADS.fanout.dagId}" }, () => {
  for (let i = 0; i < ${n}; i++) task("t" + i, async () => {});
});
`;
}

export function layeredDag(layers: number, width: number): string {
  return `import { dag, task, chain } from "baton";
export default dag({ id: "${WORKLOADS.layered.dagId}" }, () => {
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
