import { spawn } from "node:child_process";
import { afterAll, describe, it } from "vitest";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { createTestNetwork, forwardTcp, netnsUnavailable, type TestNetwork } from "./hosts/netns.js";
import { RemoteScenario } from "./remote-workers-scenario.js";

/**
 * Issue 11 on real separate hosts: a scheduler, an API server and two workers, each in its own
 * network namespace with its own address (test/e2e/hosts/netns.ts); PostgreSQL is reached
 * through the gateway. A worker's link is cut mid-attempt past the lost time and restored, a
 * worker is killed -9 and replaced, the API server is killed and restarted.
 */
let dbs: PostgresTestDatabases | undefined;
let scenario: RemoteScenario | undefined;
let net: TestNetwork | undefined;
let forward: { close(): Promise<void> } | undefined;

afterAll(async () => {
  await scenario?.dispose();
  await forward?.close();
  net?.dispose();
  await dbs?.dispose();
});

describe("remote workers on separate hosts (network namespaces): faults", () => {
  it("a cut link, a killed worker and a restarted API server lose nothing and run no try twice", { timeout: 240_000 }, async (t) => {
    const noNetns = netnsUnavailable();
    const down = await probePostgres(TEST_PG_URL);
    if (noNetns !== undefined || down !== undefined) {
      console.warn(
        `skipping: ${noNetns ?? `PostgreSQL at ${TEST_PG_URL} is unusable (${down})`} (remote-workers.test.ts runs the same scenario over 127.0.0.1)`,
      );
      t.skip();
      return;
    }
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await dbs.clone();
    net = await createTestNetwork(["sched", "api", "w1", "w2"]);
    const pgPort = 15000 + Math.floor(Math.random() * 5000);
    const target = new URL(url);
    forward = await forwardTcp(net.gateway, pgPort, target.hostname === "localhost" ? "127.0.0.1" : target.hostname, Number(target.port || 5432));
    const viaGateway = new URL(url);
    viaGateway.hostname = net.gateway;
    viaGateway.port = String(pgPort);
    const hosts = net.hosts;
    const n = net;
    scenario = new RemoteScenario(
      {
        databaseUrl: () => viaGateway.toString(),
        apiAddress: hosts.get("api")!.address,
        apiPort: 18080,
        spawn: (host, argv, env) => spawn("ip", ["netns", "exec", hosts.get(host)!.ns, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] }),
        isolate: (host, cut) => n.setLink(host, !cut),
      },
      url,
    );
    await scenario.run();
  });
});
