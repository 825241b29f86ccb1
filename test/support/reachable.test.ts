import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { reachable, skipUnlessReachable } from "./reachable.js";

describe("the service probe tests use to skip with a reason", () => {
  it("says why when nothing answers, and skips the test", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    expect(await reachable(port)).toMatch(new RegExp(`^nothing answers on 127\\.0\\.0\\.1:${port} \\(`));
    let skipped = false;
    expect(await skipUnlessReachable({ skip: () => void (skipped = true) }, port, "the probe test")).toBe(true);
    expect(skipped).toBe(true);
  });

  it("does not skip when something listens", async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      let skipped = false;
      expect(await skipUnlessReachable({ skip: () => void (skipped = true) }, port, "x")).toBe(false);
      expect(skipped).toBe(false);
    } finally {
      server.close();
    }
  });
});
