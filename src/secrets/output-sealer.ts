import { SEALED_PREFIX, type OutputSealer } from "../core/ports/output-sealer.js";
import type { SecretCipher } from "./secret-cipher.js";

/**
 * Sensitive return values sealed with the connections' key (AES-256-GCM, see {@link SecretCipher}),
 * stored as `sealed:v1:<iv>:<tag>:<data>` and bound to their task instance. `cipher` is called on
 * the first seal or open, so a deployment without sensitive tasks never loads the key.
 */
export class CipherOutputSealer implements OutputSealer {
  #cipher: SecretCipher | null = null;

  constructor(private readonly cipher: () => SecretCipher) {}

  seal(json: string, context: string): string {
    return SEALED_PREFIX + this.#get().encrypt(json, context);
  }

  open(sealed: string, context: string): string {
    return this.#get().decrypt(sealed.slice(SEALED_PREFIX.length), context, `the sensitive return value (${context})`);
  }

  #get(): SecretCipher {
    return (this.#cipher ??= this.cipher());
  }
}
