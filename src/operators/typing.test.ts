import { describe, expect, expectTypeOf, it } from "vitest";
import { dag, type TaskRef } from "../sdk/index.js";
import {
  consume,
  httpRequest,
  sqlCheck,
  sqlQuery,
  type ConsumeResult,
  type HttpResponse,
  type SqlCheckSummary,
  type SqlQueryFile,
  type SqlQueryRows,
} from "./index.js";

describe("operator return types", () => {
  it("are typed TaskRefs that feed typed inputs", () => {
    dag({ id: "typing_ops" }, (d) => {
      const rows = sqlQuery(d, "q", { conn: "sqlite:///tmp/t.db", sql: "select 1 as n", retries: 1 });
      const file = sqlQuery(d, "f", { conn: "sqlite:///tmp/t.db", sql: "select 1", output: { path: "/tmp/t.csv" } });
      const checked = sqlCheck(d, "c", { conn: "sqlite:///tmp/t.db", checks: [{ query: "select 1" }], after: rows });
      const call = httpRequest(d, "h", { url: "http://127.0.0.1/", timeout: "1m" });
      expectTypeOf(rows).toEqualTypeOf<TaskRef<SqlQueryRows>>();
      expectTypeOf(file).toEqualTypeOf<TaskRef<SqlQueryFile>>();
      expectTypeOf(checked).toEqualTypeOf<TaskRef<SqlCheckSummary>>();
      expectTypeOf(call).toEqualTypeOf<TaskRef<HttpResponse>>();
      d.task("use", { inputs: { rows, call } }, (ctx, v) => {
        expectTypeOf(v.rows.rows).toEqualTypeOf<Record<string, unknown>[]>();
        expectTypeOf(v.call.status).toEqualTypeOf<number>();
      });
      const batch = consume(d, "take", { conn: "redis://127.0.0.1:6379", source: "orders" });
      const stored = consume(d, "store", { conn: "redis://127.0.0.1:6379", source: "orders", handle: async (_ctx, messages) => ({ rows: messages.length }) });
      expectTypeOf(batch).toEqualTypeOf<TaskRef<ConsumeResult>>();
      expectTypeOf(stored).toEqualTypeOf<TaskRef<{ count: number; result: { rows: number } }>>();
      expect(() =>
        // @ts-expect-error unknown option names are refused by the types, and at load time
        sqlQuery(d, "bad", { conn: "x", sql: "select 1", retry: 2 }),
      ).toThrow(/unknown option "retry"/);
    });
  });
});
