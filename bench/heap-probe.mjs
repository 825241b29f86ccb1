// Loaded into `baton` with `node --expose-gc --import` by bench/memory.ts: on SIGUSR2, collects
// garbage fully and writes { heapMb, rssMb } to $BATON_HEAP_PROBE_FILE (atomically).
import { renameSync, writeFileSync } from "node:fs";

const out = process.env.BATON_HEAP_PROBE_FILE;
// NODE_OPTIONS reaches the processes `baton` starts too: probe `baton` itself only.
if (out && /[\\/]bin[\\/]baton\.js$/.test(process.argv[1] ?? "")) {
  process.on("SIGUSR2", () => {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const m = process.memoryUsage();
    const mb = (n) => Math.round((n / 1048576) * 10) / 10;
    writeFileSync(`${out}.tmp`, JSON.stringify({ heapMb: mb(m.heapUsed), rssMb: mb(m.rss), at: Date.now() }));
    renameSync(`${out}.tmp`, out);
  });
}
