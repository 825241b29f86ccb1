import { afterEach, describe, expect, it } from "vitest";
import { redactUrl } from "./request-log.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

describe("the server's request log", () => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("logs every request and its outcome, without bearer tokens, cookies, passwords or secret query values", async () => {
    const lines: string[] = [];
    h = await apiHarness({ mode: "required", logger: { level: "info", stream: { write: (line: string) => void lines.push(line) } } });
    const headers = await h.bearer("admin");
    const token = headers.authorization!.slice("Bearer ".length);
    await h.app.inject({ url: "/api/v1/dags?search=etl&token=query-token-secret&api_key=k-secret-2", headers });
    await h.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "nobody", password: "typed-password-3" } });
    await h.app.inject({ url: "/api/v1/dags", headers: { authorization: "Bearer wrong-token-secret-4" }, cookies: { baton_session: "cookie-secret-5" } });

    const records = lines.map((l) => JSON.parse(l) as { msg: string; req?: { method: string; url: string }; res?: { statusCode: number }; reqId?: string });
    const incoming = records.filter((r) => r.msg === "incoming request");
    expect(incoming.map((r) => `${r.req?.method} ${r.req?.url}`)).toEqual([
      "GET /api/v1/dags?search=etl&token=***&api_key=***",
      "POST /api/v1/auth/login",
      "GET /api/v1/dags",
    ]);
    expect(records.filter((r) => r.msg === "request completed").map((r) => r.res?.statusCode)).toEqual([200, 401, 401]);
    const log = lines.join("");
    for (const secret of [token, "query-token-secret", "k-secret-2", "typed-password-3", "wrong-token-secret-4", "cookie-secret-5"]) {
      expect(log).not.toContain(secret);
    }
  });

  it("logs a 500 with its error and stack, so 'see the server log' leads somewhere", async () => {
    const lines: string[] = [];
    h = await apiHarness({ mode: "local", logger: { level: "info", stream: { write: (line: string) => void lines.push(line) } } });
    const broken = h.store as unknown as { listPools: () => Promise<never> };
    broken.listPools = () => Promise.reject(new Error("disk on fire"));
    const res = await h.app.inject({ url: "/api/v1/pools" });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.message).toContain("see the server log");
    const failed = lines
      .map((l) => JSON.parse(l) as { msg: string; err?: { message: string; stack: string }; reqId: string })
      .find((r) => r.msg === "request failed");
    expect(failed?.err?.message).toBe("disk on fire");
    expect(failed?.err?.stack).toContain("Error: disk on fire");
  });

  it("redactUrl masks the values of secret-named query parameters only", () => {
    expect(redactUrl("/a")).toBe("/a");
    expect(redactUrl("/a?dagId=etl&Password=x&access%5Ftoken=y&flag")).toBe("/a?dagId=etl&Password=***&access%5Ftoken=***&flag");
    expect(redactUrl("/a?bad=%E0%A4%A&secret=z")).toBe("/a?bad=%E0%A4%A&secret=***");
  });
});
