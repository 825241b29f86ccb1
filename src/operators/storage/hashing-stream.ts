import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The digests of the bytes that went through a {@link HashingStream}. */
export interface Digest {
  size: number;
  /** Hex. */
  sha256: string;
  /** Hex. */
  md5: string;
}

/** A pass-through stream computing SHA-256 and MD5 of what flows through it, chunk by chunk. */
export class HashingStream extends Transform {
  private readonly sha256: Hash = createHash("sha256");
  private readonly md5: Hash = createHash("md5");
  private size = 0;
  private result: Digest | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.result = { size: this.size, sha256: this.sha256.digest("hex"), md5: this.md5.digest("hex") };
    done();
  }

  /** The digests; only once the stream has ended. */
  digest(): Digest {
    if (this.result === null) throw new Error("HashingStream.digest() before the stream ended");
    return this.result;
  }
}

/** Reads a stream to its end, keeping only its digests. */
export async function digestOf(stream: NodeJS.ReadableStream): Promise<Digest> {
  const hasher = new HashingStream();
  await pipeline(stream, hasher, async function (source) {
    for await (const _chunk of source) {
      // drain
    }
  });
  return hasher.digest();
}
