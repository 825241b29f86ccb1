import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.js";
import type { Connection } from "../model/connection.js";
import { connectionToUri, parseConnectionUri } from "./connection-uri.js";

describe("parseConnectionUri", () => {
  it("reads every part, percent-decoded", () => {
    expect(parseConnectionUri("wh", "postgres://etl:s%40c%3Aret%2F@db.example.com:5432/ana%20lytics?sslmode=require&a=b%26c")).toEqual({
      id: "wh",
      type: "postgres",
      host: "db.example.com",
      port: 5432,
      login: "etl",
      password: "s@c:ret/",
      schema: "ana lytics",
      extra: { sslmode: "require", a: "b&c" },
    });
  });

  it("turns missing parts into null and keeps the scheme as given", () => {
    expect(parseConnectionUri("x", "google-cloud-platform://")).toEqual({
      id: "x",
      type: "google-cloud-platform",
      host: null,
      port: null,
      login: null,
      password: null,
      schema: null,
      extra: {},
    });
    expect(parseConnectionUri("x", "http://user@h")).toMatchObject({ login: "user", password: null, host: "h", port: null });
  });

  it("merges __extra__ JSON, keeping nested values as JSON text", () => {
    const extra = encodeURIComponent(JSON.stringify({ region: "eu", retries: 3, nested: { a: 1 } }));
    expect(parseConnectionUri("s3", `aws://?__extra__=${extra}&x=1`).extra).toEqual({ region: "eu", retries: "3", nested: '{"a":1}', x: "1" });
  });

  it("reads sqlite and duckdb URIs as a file path", () => {
    expect(parseConnectionUri("l", "sqlite:///tmp/a%20b.db?mode=ro")).toMatchObject({
      type: "sqlite",
      host: null,
      schema: "/tmp/a b.db",
      extra: { mode: "ro" },
    });
    expect(parseConnectionUri("m", "duckdb://:memory:")).toMatchObject({ schema: ":memory:" });
  });

  it("reads IPv6 hosts", () => {
    expect(parseConnectionUri("v6", "redis://[::1]:6379/0")).toMatchObject({ host: "::1", port: 6379, schema: "0" });
  });

  it.each([
    ["not a uri"],
    ["postgres://h:notaport/db"],
    ["postgres://h:70000/db"],
    ["postgres://u:%zz@h/db"],
    ["aws://?__extra__=%7Bnope"],
    ["aws://?__extra__=%5B1%5D"],
  ])("rejects %s with an error naming the id but not the URI", (uri) => {
    try {
      parseConnectionUri("my_conn", uri);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as Error).message).toContain('connection "my_conn"');
      expect((e as Error).message).not.toContain(uri);
    }
  });
});

describe("connectionToUri", () => {
  it("round-trips through parseConnectionUri", () => {
    const cases: Connection[] = [
      {
        id: "a",
        type: "postgres",
        host: "db",
        port: 5432,
        login: "u s@r",
        password: "p:@/?#&=+%",
        schema: "my/db",
        extra: { sslmode: "require", "k y": "v&=" },
      },
      { id: "b", type: "http", host: "example.com", port: null, login: null, password: null, schema: null, extra: {} },
      { id: "d", type: "sqlite", host: null, port: null, login: null, password: null, schema: "/tmp/my db.sqlite", extra: { mode: "ro" } },
      { id: "c", type: "redis", host: "::1", port: 6379, login: null, password: "pw", schema: "0", extra: {} },
    ];
    for (const c of cases) expect(parseConnectionUri(c.id, connectionToUri(c))).toEqual(c);
  });
});
