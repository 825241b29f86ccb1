import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { dag } from "../sdk/index.js";
import { httpRequest } from "../operators/index.js";
import { testDag } from "./index.js";

// Airflow's `{{ var.value.<key> }}` in an operator's templates (docs/operators.md#templates),
// through the real scheduler and a real HTTP server on 127.0.0.1.

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("var.value in operator templates", () => {
  it("reads the variable's text, as var.<key> does; a variable named value keeps {{ var.value }}", async () => {
    const seen: string[] = [];
    server = createServer((req, res) => (seen.push(req.url ?? ""), res.writeHead(204).end()));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pipeline = dag({ id: "vars" }, (d) => {
      httpRequest(d, "airflow_style", { url: `${base}/{{ var.value.region }}/{{ var.json.cfg.bucket }}` });
      httpRequest(d, "baton_style", { url: `${base}/{{ var.region }}` });
      httpRequest(d, "named_value", { url: `${base}/v/{{ var.value }}` });
    });
    const run = await testDag(pipeline, { now: "2026-03-01T08:00:00Z", variables: { region: "eu", cfg: '{"bucket":"raw"}', value: "42" } });
    expect(run.states()).toEqual({ airflow_style: "success", baton_style: "success", named_value: "success" });
    expect(seen.sort()).toEqual(["/eu", "/eu/raw", "/v/42"]);
  });
});
