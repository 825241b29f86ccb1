import { expect, it } from "vitest";
import { measurePool } from "./measure-pool.js";

// Keeps the measuring script working and prints its figures; no timed assertion (shared CI).
it("measures no-op round trip and throughput with 2 processes", async () => {
  const figures = await measurePool({ processes: 2, attempts: 1_000 });
  console.log(`executor pool figures: ${JSON.stringify(figures)}`);
  expect(figures.burstPerSecond).toBeGreaterThan(0);
});
