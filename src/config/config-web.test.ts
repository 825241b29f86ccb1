import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("BATON_COOKIE_SECURE and BATON_TRUST_PROXY", () => {
  const load = (env: Record<string, string>) => loadConfig({}, env);

  it("BATON_COOKIE_SECURE is auto by default, true or false", () => {
    expect(load({}).cookieSecure).toBe("auto");
    expect(load({ BATON_COOKIE_SECURE: "auto" }).cookieSecure).toBe("auto");
    expect(load({ BATON_COOKIE_SECURE: "true" }).cookieSecure).toBe(true);
    expect(load({ BATON_COOKIE_SECURE: "false" }).cookieSecure).toBe(false);
    expect(() => load({ BATON_COOKIE_SECURE: "yes" })).toThrow(/BATON_COOKIE_SECURE must be "true", "false" or "auto", got "yes"/);
  });

  it("BATON_TRUST_PROXY is off by default; true, or a list of addresses and CIDRs", () => {
    expect(load({}).trustProxy).toBe(false);
    expect(load({ BATON_TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(load({ BATON_TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(load({ BATON_TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,::1,loopback" }).trustProxy).toBe("127.0.0.1,10.0.0.0/8,::1,loopback");
    expect(() => load({ BATON_TRUST_PROXY: "proxy.internal" })).toThrow(/BATON_TRUST_PROXY must be .* got "proxy.internal"/);
    expect(() => load({ BATON_TRUST_PROXY: "10.0.0.0/8/1" })).toThrow(/BATON_TRUST_PROXY/);
  });
});
