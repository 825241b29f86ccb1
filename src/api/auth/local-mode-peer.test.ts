import { afterEach, describe, expect, it } from "vitest";
import { isLoopbackAddress, isLoopbackHost } from "./loopback-address.js";
import { authTestApp, type AuthTestApp } from "./testing/auth-test-app.js";

// Regression (issue 8, item 1): local mode trusted the Host header alone, so
// `curl -H 'Host: localhost' http://<lan-ip>:8080/…` acted as admin from another machine.
describe("local mode decides by the connection's peer address", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const probe = (remoteAddress: string, headers: Record<string, string> = {}) =>
    t!.app.inject({ url: "/probe/default", remoteAddress, headers: { host: "localhost:8080", ...headers } });

  it("a peer on another machine gets 401 even with a loopback Host header", async () => {
    t = await authTestApp("local");
    for (const peer of ["192.0.2.7", "10.0.0.1", "::ffff:192.168.1.2", "fd00::2", "128.0.0.1"]) {
      const res = await probe(peer);
      expect(res.statusCode, peer).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringMatching(/only from this machine/) } });
    }
  });

  it("loopback peers (127.0.0.0/8, ::1, ::ffff:127.x) act as the local admin", async () => {
    t = await authTestApp("local");
    for (const peer of ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"]) {
      const res = await probe(peer);
      expect(res.statusCode, peer).toBe(200);
      expect(res.json()).toEqual({ username: "local-admin", via: "local" });
    }
  });

  it("X-Forwarded-For never makes a remote peer local, and a proxied request is not anonymous admin", async () => {
    t = await authTestApp("local");
    expect((await probe("192.0.2.7", { "x-forwarded-for": "127.0.0.1" })).statusCode).toBe(401);
    // A reverse proxy on this machine connects from 127.0.0.1 on behalf of someone else.
    expect((await probe("127.0.0.1", { "x-forwarded-for": "203.0.113.5" })).statusCode).toBe(401);
    expect((await probe("127.0.0.1", { forwarded: "for=203.0.113.5" })).statusCode).toBe(401);
  });

  it("the Host check still applies to loopback peers (DNS rebinding)", async () => {
    t = await authTestApp("local");
    expect((await probe("127.0.0.1", { host: "evil.example:8080" })).statusCode).toBe(401);
  });
});

describe("loopback addresses", () => {
  it("isLoopbackAddress: 127.0.0.0/8, ::1 and IPv4-mapped 127.x only", () => {
    for (const a of ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"]) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ["0.0.0.0", "::", "192.0.2.2", "::ffff:10.0.0.1", "fe80::1", "localhost", "", undefined])
      expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it("isLoopbackHost: the listen addresses that only this machine can reach", () => {
    for (const h of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2", "LOCALHOST"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.0.2.2", "my-laptop", ""]) expect(isLoopbackHost(h), h).toBe(false);
  });
});
