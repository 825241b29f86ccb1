import { randomBytes } from "node:crypto";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import type { SecretsAdmin } from "../api-deps.js";
import { SecretCipher } from "../../secrets/secret-cipher.js";
import { SecretVault } from "../../secrets/secret-vault.js";
import { apiHarness, type ApiHarness } from "./api-harness.js";

export interface SecretsHarness extends ApiHarness {
  vault: SecretVault;
  /** Every line the server logged (level trace). */
  log: string[];
  /** Every response body `call` has seen. */
  bodies: string[];
  /** `app.inject`, remembering the response body. */
  call(options: InjectOptions | string): Promise<LightMyRequestResponse>;
}

/**
 * The API harness with connections and variables: a vault over the harness store with a fresh
 * key, `env` as the BATON_CONN_/BATON_VAR_ environment, `check` as the connection test, and the
 * server log captured.
 */
export async function secretsHarness(
  options: { mode?: "local" | "required"; env?: Record<string, string>; check?: SecretsAdmin["check"] } = {},
): Promise<SecretsHarness> {
  const log: string[] = [];
  const bodies: string[] = [];
  const cipher = new SecretCipher(randomBytes(32));
  let vault: SecretVault | undefined;
  let store: ApiHarness["store"] | undefined;
  const open = (): SecretVault => (vault ??= new SecretVault(store!, cipher));
  const admin: SecretsAdmin = {
    vault: open,
    env: options.env ?? {},
    check: options.check ?? (async () => ({ ok: false, supported: false, error: "no check in this test" })),
  };
  const h = await apiHarness({
    mode: options.mode ?? "local",
    secretsAdmin: admin,
    logger: { level: "trace", stream: { write: (line: string) => void log.push(line) } },
  });
  store = h.store;
  return Object.assign(h, {
    vault: open(),
    log,
    bodies,
    async call(opts: InjectOptions | string) {
      const res = await h.app.inject(opts);
      bodies.push(res.body);
      return res;
    },
  });
}
