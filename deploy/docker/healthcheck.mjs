#!/usr/bin/env node
// The image's HEALTHCHECK (Dockerfile, docs/deploy.md). One image runs every Baton process, so the
// check first reads which command this container's `baton` process runs (/proc/<pid>/cmdline), then:
//   standalone, api         GET http://<its host>:<its port>/api/v1/health   must answer 2xx
//   scheduler               GET http://<metrics host>:<metrics port>/metrics when --metrics-port /
//                           BATON_METRICS_PORT is set; otherwise the process being there is enough
//   anything else (worker)  the process being there is enough
// Exit 0: healthy; 1: not. `--pid <pid>` names the process (default: PID 1, else the first
// `bin/baton.js` process found). The environment is this container's, the same as the process's.
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Options that take a value, among the global ones and those of standalone, api and scheduler. */
const VALUED = new Set(["--dags", "--home", "--host", "--port", "--auth", "--workers", "--metrics-port"]);

/** `baton`'s own arguments in a process's argv (after `bin/baton.js`), or null when it is not `baton`. */
export function batonArgs(argv) {
  const at = argv.findIndex((a) => /(^|\/)bin\/baton(\.js)?$/.test(a));
  return at === -1 ? null : argv.slice(at + 1);
}

/** The command and its `--name value` / `--name=value` options. */
export function parseArgs(args) {
  const options = new Map();
  let command = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq !== -1) options.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (VALUED.has(arg)) options.set(arg, args[++i] ?? "");
      else options.set(arg, "");
    } else if (command === null) command = arg;
  }
  return { command, options };
}

/** A wildcard or empty listen address is reached on loopback from inside the container. */
function reachable(host) {
  if (host === undefined || host === "" || host === "0.0.0.0" || host === "::" || host === "[::]") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The URL to probe for a `baton` argv (after `bin/baton.js`) and environment, or null: nothing to ask. */
export function probeUrl(args, env) {
  const { command, options } = parseArgs(args);
  if (command === "standalone" || command === "api") {
    const host = reachable(options.get("--host") ?? env.BATON_API_HOST);
    const port = options.get("--port") ?? (env.BATON_API_PORT || "8080");
    return port === "0" ? null : `http://${host}:${port}/api/v1/health`;
  }
  if (command === "scheduler") {
    const port = options.get("--metrics-port") ?? env.BATON_METRICS_PORT;
    if (port === undefined || port === "" || port === "0") return null;
    return `http://${reachable(env.BATON_METRICS_HOST || env.BATON_API_HOST)}:${port}/metrics`;
  }
  return null;
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a !== "");
  } catch {
    return null;
  }
}

/** The `baton` process's arguments: the given pid's, PID 1's, or the first `bin/baton.js` process's. */
function findBaton(pid) {
  if (pid !== undefined) return batonArgs(cmdline(pid) ?? []);
  const first = batonArgs(cmdline(1) ?? []);
  if (first !== null) return first;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const args = batonArgs(cmdline(entry) ?? []);
    if (args !== null) return args;
  }
  return null;
}

async function main() {
  const at = process.argv.indexOf("--pid");
  const args = findBaton(at === -1 ? undefined : process.argv[at + 1]);
  if (args === null) {
    process.stderr.write("unhealthy: no baton process in this container\n");
    return 1;
  }
  const url = probeUrl(args, process.env);
  if (url === null) return 0;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4_000) });
    process.stdout.write(`${url}: ${res.status}\n`);
    return res.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`unhealthy: ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
