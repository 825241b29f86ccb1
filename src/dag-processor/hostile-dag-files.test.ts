import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDagFiles, type LoadResult } from "./load-dag-files.js";
import { tempProject } from "./temp-project.js";

const MB = 2 ** 20;

/** Allocates 8 MB at a time, logging its RSS; stops itself at 1.5 GB so that a loader without a memory limit survives the test. */
const bomb = (rssLog: string) => `import { writeFileSync } from "node:fs";
const kept: number[][] = [];
while (process.memoryUsage.rss() < 1.5 * 2 ** 30) {
  kept.push(new Array(1_000_000).fill(kept.length));
  writeFileSync(${JSON.stringify(rssLog)}, String(process.memoryUsage.rss()));
}
export const size = kept.length;
`;

function messageOf(results: LoadResult[], suffix: string): string {
  const r = results.find((x) => x.file.endsWith(suffix));
  if (!r) throw new Error(`no result for ${suffix}`);
  return r.errors.map((e) => e.message).join("\n");
}

describe("regression: hostile DAG files are stopped and reported by their real cause", () => {
  const p = tempProject();
  const rssLog = join(p.root, "bomb-rss.txt");
  const files = {
    bomb: p.write("bomb.ts", bomb(rssLog)),
    exits: p.write("exits.ts", `process.exit(3);\n`),
    killed: p.write("killed.ts", `process.kill(process.pid, "SIGKILL");\n`),
    exitsNatively: p.write("exits-natively.ts", `(process as unknown as { reallyExit(code: number): void }).reallyExit(5);\n`),
    good: p.write("good.ts", `import { dag } from "baton";\nexport default dag({ id: "good" }, (d) => void d.task("a", () => 1));\n`),
  };
  let results: LoadResult[];
  let seconds: number;

  beforeAll(async () => {
    const t0 = Date.now();
    results = await loadDagFiles(Object.values(files), { bundleDir: p.bundleDir, timeoutMs: 60_000, memoryMb: 64 });
    seconds = (Date.now() - t0) / 1000;
  }, 120_000);

  it("stops a file that allocates without bound at the memory limit and says it ran out of memory", () => {
    expect(messageOf(results, "bomb.ts")).toMatch(/^ran out of memory \(limit 64 MB\)/);
    const peakRss = Number(readFileSync(rssLog, "utf8"));
    expect(peakRss).toBeLessThan(300 * MB);
    expect(seconds).toBeLessThan(20); // measured: about 3 s for the five files
  });

  it("names a call to process.exit with its code", () => {
    expect(messageOf(results, "exits.ts")).toMatch(/^the file called process\.exit\(3\)/);
  });

  it("names a signal or an exit code without blaming process.exit", () => {
    const killed = messageOf(results, "killed.ts");
    expect(killed).toMatch(/killed by signal SIGKILL/);
    expect(killed).not.toMatch(/process\.exit|memory/);
    const exited = messageOf(results, "exits-natively.ts");
    expect(exited).toMatch(/exited with code 5/);
    expect(exited).not.toMatch(/process\.exit|memory/);
  });

  it("still loads the good file", () => {
    expect(results.find((r) => r.file === files.good)).toMatchObject({ errors: [], dags: [expect.objectContaining({ dagId: "good" })] });
  });
});
