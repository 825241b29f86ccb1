export { createApiToken, parseApiToken, type ParsedApiToken } from "./api-token.js";
export { ensureAdmin } from "./ensure-admin.js";
export { AUTH_LOG_REDACT } from "./log-redact.js";
export { hashPassword, verifyPassword } from "./password-hash.js";
export { isLoopbackAddress, isLoopbackHost } from "./loopback-address.js";
export { LOCAL_ADMIN, type AuthMode, type Principal, type RouteRole } from "./principal.js";
export { registerAuth, type AuthOptions } from "./register-auth.js";
export { SESSION_COOKIE } from "./session-cookie.js";
