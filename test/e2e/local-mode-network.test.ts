import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, startStandalone, stopProcess } from "./baton-cli.js";

// Regression (issue 8, item 1): `baton standalone --host 0.0.0.0` stayed in local mode, where a
// request from another machine with `Host: localhost` acted as admin.
let root: string;
let env: Record<string, string>;
const stops: (() => Promise<void>)[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-local-net-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_WORKERS: "1", BATON_API_PORT: "0" };
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  rmSync(root, { recursive: true, force: true });
});

/** A GET sent from `localAddress` (so the server sees that peer), with the Host header of the URL. */
function getFrom(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** An address of this machine that is not loopback, or undefined. */
function nonLoopbackIpv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;
}

describe("local mode and the network", () => {
  it("standalone --host 0.0.0.0 without --auth required exits 2 and says to add --auth required", async () => {
    const r = await baton(["standalone", "--host", "0.0.0.0"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/0\.0\.0\.0 is not a loopback address/);
    expect(r.stderr).toMatch(/add --auth required/);
    const viaEnv = await baton(["standalone"], { ...env, BATON_API_HOST: "192.0.2.10" });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toMatch(/192\.0\.2\.10 is not a loopback address.*add --auth required/s);
  });

  it("standalone --host 0.0.0.0 --auth required starts and prints the address it really listens on", async () => {
    const s = await startStandalone(env, ["--host", "0.0.0.0", "--auth", "required"]);
    stops.push(() => stopProcess(s.proc));
    expect(s.output()).toMatch(/UI and API:\s+http:\/\/0\.0\.0\.0:\d+ \(every interface\)\s+\(sign-in required\)/);
  });

  it("standalone on 127.0.0.1 in local mode refuses a real non-loopback peer and serves a loopback one", async (t) => {
    const s = await startStandalone(env);
    stops.push(() => stopProcess(s.proc));
    const url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
    expect(url).toBeDefined();
    expect(await getFrom(`${url}/api/v1/connections`, "127.0.0.1")).toBe(200);
    const lan = nonLoopbackIpv4();
    if (lan === undefined) {
      console.warn("skipping the non-loopback peer half: this machine has no non-loopback IPv4 address");
      t.skip();
      return;
    }
    // Connecting from this machine's LAN address to 127.0.0.1 gives the server a non-loopback peer.
    expect(await getFrom(`${url}/api/v1/connections`, lan)).toBe(401);
  });
});
