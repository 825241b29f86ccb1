import { describe, expect, it } from "vitest";
import { testDag } from "baton/testing";
import pipeline from "../dags/example.js";

describe("example_etl", () => {
  it("extracts the orders, totals them by region and loads the totals", async () => {
    const run = await testDag(pipeline);

    expect(run.state).toBe("success");
    expect(run.task("extract").value).toEqual([
      { id: 1, region: "eu", amount: 120 },
      { id: 2, region: "us", amount: 75 },
      { id: 3, region: "eu", amount: 30 },
    ]);
    expect(run.task("transform").value).toEqual({ eu: 150, us: 75 });
    expect(run.task("load").state).toBe("success");
    expect(run.task("load").value).toEqual({ regions: 2 });
  });

  it("leaves out orders below params.minAmount", async () => {
    const run = await testDag(pipeline, { params: { minAmount: 100 } });

    expect(run.state).toBe("success");
    expect(run.task("transform").value).toEqual({ eu: 120 });
    expect(run.task("load").value).toEqual({ regions: 1 });
  });
});
