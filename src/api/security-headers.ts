import fastifyHelmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/**
 * The Content-Security-Policy of every response. The UI is a same-origin SPA: its scripts, styles
 * and fonts are files under /assets, it talks to /api only, and no page may frame it.
 * No inline scripts or styles: the theme bootstrap is a file (ui/public/theme-init.js), and the
 * styles React sets at run time go through the CSSOM, which CSP does not restrict.
 * test/browser/content-security-policy.test.ts walks the UI's pages in Chromium under it.
 */
export const CONTENT_SECURITY_POLICY = {
  "default-src": ["'self'"],
  "base-uri": ["'self'"],
  "connect-src": ["'self'"],
  "font-src": ["'self'", "data:"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "script-src": ["'self'"],
  "script-src-attr": ["'none'"],
  "style-src": ["'self'"],
};

/**
 * Security headers on every response, API and UI alike (helmet's onRequest hook, so errors, 401s
 * and the SPA fallback get them too): the CSP above, `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, and helmet's cross-origin defaults.
 * No HSTS: the server speaks plain HTTP on 127.0.0.1; a TLS-terminating proxy sets it.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
  });
}
