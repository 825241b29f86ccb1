import { describe, expect, it } from "vitest";
import type { Connection } from "../../core/model/connection.js";
import { buildUrl, connectionAuth, connectionBaseUrl, statusExpected } from "./build-request.js";

const conn = (c: Partial<Connection>): Connection => ({
  id: "api",
  type: "http",
  host: "h",
  port: null,
  login: null,
  password: null,
  schema: null,
  extra: {},
  ...c,
});

describe("HTTP request building", () => {
  it("takes scheme from the type, then host, port and a base path", () => {
    expect(connectionBaseUrl(conn({ type: "https", host: "api.x", port: 8443, schema: "v1/" }))).toBe("https://api.x:8443/v1");
    expect(connectionBaseUrl(conn({ host: "https://api.x/" }))).toBe("https://api.x");
    expect(buildUrl("http://h:1/v1", "/hooks", { ds: "2026-01-02", n: 2 })).toBe("http://h:1/v1/hooks?ds=2026-01-02&n=2");
  });

  it("prefers an extra token (Bearer) over login/password (Basic)", () => {
    expect(connectionAuth(conn({ login: "u", password: "p" }))).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(connectionAuth(conn({ login: "u", extra: { token: "t" } }))).toBe("Bearer t");
    expect(connectionAuth(conn({}))).toBeNull();
  });

  it("expects 2xx unless told", () => {
    expect(statusExpected(204, undefined)).toBe(true);
    expect(statusExpected(302, undefined)).toBe(false);
    expect(statusExpected(404, [200, 404])).toBe(true);
    expect(statusExpected(200, 201)).toBe(false);
  });
});
