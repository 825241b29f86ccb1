const encoder = new TextEncoder();

/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of `text`: the standard function, so any language can
 * reproduce Baton's retry jitter. Deterministic across processes, unlike anything seeded.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}
