/**
 * Encrypts the return values of sensitive tasks (`task(id, { sensitive: true }, …)`) before they
 * are stored, and decrypts them for the downstream tasks that receive them. Implemented with the
 * connections' key and AES-256-GCM (`secrets/output-sealer.ts`); injected by the composition root.
 *
 * A sealed value is stored as {@link SEALED_PREFIX} + ciphertext: never valid JSON, so readers
 * without the key (the API, the CLI) recognise it with {@link isSealedOutput} and show `***`.
 */
export interface OutputSealer {
  /** The stored text for `json`; `context` (the task instance) is authenticated, not stored. */
  seal(json: string, context: string): string;
  /** The JSON text again. Throws when the key is not the one it was sealed with. */
  open(sealed: string, context: string): string;
}

/** Starts every sealed output (no JSON text starts with a letter other than t, f or n). */
export const SEALED_PREFIX = "sealed:";

/** True when a stored output is a sealed (encrypted) value. */
export function isSealedOutput(output: string | null): output is string {
  return output !== null && output.startsWith(SEALED_PREFIX);
}

/** What a sealed value is bound to: one task instance of one run. */
export function sealContext(dagId: string, runId: string, taskId: string, mapIndex: number): string {
  return `task-output:${dagId}/${runId}/${taskId}/${mapIndex}`;
}
