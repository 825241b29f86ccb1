import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startStandalone, stopProcess } from "./baton-cli.js";

// Issue 8, item 4: behind a TLS-terminating proxy the session cookie lacked `Secure`.
let root: string | undefined;
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function loginCookie(env: Record<string, string>): Promise<string> {
  root = mkdtempSync(join(tmpdir(), "baton-cookie-"));
  mkdirSync(join(root, "dags"));
  const s = await startStandalone({ BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_WORKERS: "1", BATON_API_PORT: "0", ...env }, [
    "--auth",
    "required",
  ]);
  stop = () => stopProcess(s.proc);
  const url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1];
  const password = /Created user "admin" with password: (\S+)/.exec(s.output())![1];
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" },
    body: JSON.stringify({ username: "admin", password }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  return res.headers.get("set-cookie") ?? "";
}

describe("the session cookie behind a TLS-terminating proxy", () => {
  it("BATON_TRUST_PROXY=127.0.0.1: X-Forwarded-Proto https from the proxy marks the cookie Secure", async () => {
    expect(await loginCookie({ BATON_TRUST_PROXY: "127.0.0.1" })).toMatch(/baton_session=[^;]+;.*\bSecure\b/i);
  });

  it("without BATON_TRUST_PROXY the header does not count; BATON_COOKIE_SECURE=true marks it anyway", async () => {
    expect(await loginCookie({})).not.toMatch(/\bSecure\b/i);
    await stop?.();
    stop = undefined;
    rmSync(root!, { recursive: true, force: true });
    expect(await loginCookie({ BATON_COOKIE_SECURE: "true" })).toMatch(/baton_session=[^;]+;.*\bSecure\b/i);
  });
});
