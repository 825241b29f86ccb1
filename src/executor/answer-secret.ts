import { InvalidInputError, NotFoundError } from "../core/errors.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { SecretMasker } from "../core/secrets/mask-text.js";
import { isSensitiveKey, secretValuesOf } from "../core/secrets/sensitive-keys.js";
import type { SecretReply } from "./protocol.js";

export const NO_SECRETS_RESOLVER = "connections and variables are not available here: the executor was started without a secrets resolver";

/**
 * Resolves a running attempt's `ctx.connection()`/`ctx.variable()` and turns the value or the
 * error into its reply. The secret values handed out go into the attempt's `masker`, so what is
 * written to its log afterwards is masked (a variable only when its key names a secret).
 */
export async function answerSecret(
  secrets: SecretsResolver | null,
  masker: SecretMasker,
  request: { req: number; kind: "connection" | "variable"; name: string },
  running: boolean,
): Promise<SecretReply> {
  const { req, kind, name } = request;
  if (!running) return { req, error: `ctx.${kind}() was called outside a running attempt`, code: "failed" };
  if (secrets === null) return { req, error: NO_SECRETS_RESOLVER, code: "unavailable" };
  try {
    if (kind === "connection") {
      const connection = await secrets.connection(name);
      masker.add(secretValuesOf(connection));
      return { req, connection };
    }
    const variable = await secrets.variable(name);
    if (isSensitiveKey(name)) masker.add([variable]);
    return { req, variable };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const code = e instanceof NotFoundError ? "not_found" : e instanceof InvalidInputError ? "invalid" : "failed";
    return { req, error, code };
  }
}
