import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, it } from "vitest";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { RemoteScenario } from "./remote-workers-scenario.js";

/**
 * Issue 11 over 127.0.0.1 with separate processes (always runs where PostgreSQL is): a worker
 * cut off (SIGSTOP past the lost time, then SIGCONT), a worker killed -9 and replaced, the API
 * server killed and restarted. The same scenario on separate hosts: remote-workers-netns.test.ts.
 */
let dbs: PostgresTestDatabases | undefined;
let scenario: RemoteScenario | undefined;

afterAll(async () => {
  await scenario?.dispose();
  await dbs?.dispose();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("remote workers over loopback: faults", () => {
  it("a cut-off worker, a killed worker and a restarted API server lose nothing and run no try twice", { timeout: 240_000 }, async (t) => {
    const down = await probePostgres(TEST_PG_URL);
    if (down !== undefined) {
      console.warn(`skipping: PostgreSQL at ${TEST_PG_URL} is unusable (${down})`);
      t.skip();
      return;
    }
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await dbs.clone();
    const port = await freePort();
    scenario = new RemoteScenario(
      {
        databaseUrl: () => url,
        apiAddress: "127.0.0.1",
        apiPort: port,
        spawn: (_host, argv, env) => spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] }),
        isolate: (_host, cut, proc) => proc.kill(cut ? "SIGSTOP" : "SIGCONT"),
      },
      url,
    );
    await scenario.run();
  });
});
