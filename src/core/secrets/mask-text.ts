import { MASK } from "./sensitive-keys.js";

/** Values shorter than this are not masked: masking "a" or "123" would garble every log. */
export const MIN_MASKED_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text` with `***`, longest secrets first (so a
 * secret containing another is masked whole). Values shorter than {@link MIN_MASKED_LENGTH}
 * are ignored.
 */
export function maskText(text: string, secrets: Iterable<string>): string {
  const pattern = maskPattern(secrets);
  return pattern === null ? text : text.replace(pattern, MASK);
}

/** The regular expression {@link maskText} uses, or null when there is nothing to mask. */
export function maskPattern(secrets: Iterable<string>): RegExp | null {
  const unique = [...new Set(secrets)].filter((s) => s.length >= MIN_MASKED_LENGTH);
  if (unique.length === 0) return null;
  unique.sort((a, b) => b.length - a.length);
  return new RegExp(unique.map(escapeRegExp).join("|"), "g");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The secrets one attempt has obtained, and the masking of its log. Each value is also masked
 * in its percent-encoded form (as it appears inside a URI). Not thread-shared: one per attempt.
 */
export class SecretMasker {
  readonly #values = new Set<string>();
  #pattern: RegExp | null = null;

  add(values: Iterable<string>): void {
    let changed = false;
    for (const v of values) {
      for (const form of [v, encodeURIComponent(v)]) {
        if (form.length >= MIN_MASKED_LENGTH && !this.#values.has(form)) {
          this.#values.add(form);
          changed = true;
        }
      }
    }
    if (changed) this.#pattern = maskPattern(this.#values);
  }

  get empty(): boolean {
    return this.#pattern === null;
  }

  mask(text: string): string {
    return this.#pattern === null ? text : text.replace(this.#pattern, MASK);
  }
}
