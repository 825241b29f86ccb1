/**
 * `npm run build && node dist/bench/start-fast.js [--launches N] [bin/baton.js …]`: how soon a real
 * `baton standalone` answers after its launch (issue 13: "the UI answers < 1 s after launch").
 * Each launch gets a fresh home and an empty DAG folder (`--workers 1`, a free port); the bench
 * polls `GET /api/v1/health` and `GET /` every 5 ms and records the wall time from the spawn to
 * the first 200 of each, and the CPU the process had used when `/health` first answered (from
 * `/proc/<pid>/stat`, Linux; on a shared machine it compares better than the wall time). Given
 * several `baton.js` paths (e.g. a build of the base commit in a copy), their launches alternate;
 * prints each launch and the medians.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const i = process.argv.indexOf("--launches");
const LAUNCHES = i > 0 ? Number(process.argv[i + 1]) : 10;
const bins = process.argv.slice(2).filter((a) => a.endsWith(".js"));
if (bins.length === 0) bins.push(join(ROOT, "bin", "baton.js"));

interface Launch {
  healthMs: number | null;
  indexMs: number | null;
  cpuMs: number | null;
}

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => res(port));
    });
  });

async function status(url: string): Promise<number> {
  try {
    const r = await fetch(url);
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** User + system CPU of a process in ms (clock ticks of 10 ms), or null off Linux. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function launch(bin: string): Promise<Launch> {
  const home = mkdtempSync(join(tmpdir(), "baton-start-fast-"));
  const dags = join(home, "dags");
  mkdirSync(dags);
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, "standalone", "--dags", dags, "--home", join(home, "home"), "--port", String(port), "--workers", "1"], {
    stdio: "ignore",
  });
  const result: Launch = { healthMs: null, indexMs: null, cpuMs: null };
  while (performance.now() - t0 < 60_000 && (result.healthMs === null || result.indexMs === null) && child.exitCode === null) {
    if (result.healthMs === null && (await status(`http://127.0.0.1:${port}/api/v1/health`)) === 200) {
      result.healthMs = performance.now() - t0;
      result.cpuMs = child.pid === undefined ? null : cpuMs(child.pid);
    }
    if (result.indexMs === null && (await status(`http://127.0.0.1:${port}/`)) === 200) result.indexMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
  const exited = new Promise((r) => child.once("exit", r));
  if (child.exitCode === null) child.kill("SIGTERM");
  await exited;
  rmSync(home, { recursive: true, force: true });
  return result;
}

const median = (xs: (number | null)[]): string => {
  const s = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return s.length === 0 ? "-" : s[Math.floor(s.length / 2)]!.toFixed(0);
};

const results = new Map<string, Launch[]>(bins.map((b) => [b, []]));
for (let n = 0; n < LAUNCHES; n++) {
  for (const bin of bins) {
    const r = await launch(bin);
    results.get(bin)!.push(r);
    console.log(`${n + 1} ${bin}: /health ${r.healthMs?.toFixed(0) ?? "-"} ms, / ${r.indexMs?.toFixed(0) ?? "-"} ms, CPU ${r.cpuMs ?? "-"} ms`);
  }
}
for (const [bin, rs] of results) {
  console.log(
    `${bin}: median of ${rs.length}: /health ${median(rs.map((r) => r.healthMs))} ms, / ${median(rs.map((r) => r.indexMs))} ms, CPU at /health ${median(rs.map((r) => r.cpuMs))} ms`,
  );
}
