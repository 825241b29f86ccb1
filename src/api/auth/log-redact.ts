/**
 * pino `redact` paths for the server logger: credentials never reach the log even when request or
 * response headers are serialized. Pass to `Fastify({ logger: { redact: AUTH_LOG_REDACT } })`.
 */
export const AUTH_LOG_REDACT: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-csrf-token"]',
  'headers["set-cookie"]',
  "password",
  "*.password",
  "token",
  "*.token",
  "csrfToken",
  "*.csrfToken",
  "*.passwordHash",
  "*.secretHash",
];
