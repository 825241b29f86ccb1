import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIn, startTestStores, type StoreUnderTest, type TestStores } from "../../../test/support/object-stores.js";
import { digestOf } from "./hashing-stream.js";
import type { ObjectStore } from "./object-store.js";
import { ChecksumMismatchError, transferObject, type ObjectSide } from "./transfer-object.js";

// Every adapter against a real server: s3rver (S3), Azurite (Azure Blob), the GCS test emulator
// (test/support/gcs-emulator.ts) and a temp folder (file://).
let stores: TestStores;
beforeAll(async () => {
  stores = await startTestStores();
}, 60_000);
afterAll(async () => {
  await stores?.close();
});

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

async function put(sut: StoreUnderTest, relative: string, data: Buffer): Promise<string> {
  const key = keyIn(stores, sut, relative);
  await sut.store.write(sut.container, key, Readable.from([data]), { size: data.length });
  return key;
}

async function get(sut: StoreUnderTest, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await sut.store.read(sut.container, key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function keys(sut: StoreUnderTest, relativePrefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of sut.store.list(sut.container, keyIn(stores, sut, relativePrefix))) out.push(o.key.slice(keyIn(stores, sut, relativePrefix).length));
  return out.sort();
}

function side(sut: StoreUnderTest, key: string): ObjectSide {
  return { store: sut.store, container: sut.container, key, url: `${sut.scheme}://${sut.container}/${key}` };
}

const all = (): StoreUnderTest[] => [stores.s3, stores.az, stores.gs, stores.file];

describe.each(["s3", "az", "gs", "file"] as const)("the %s store", (scheme) => {
  const sut = () => stores[scheme];

  it("writes, heads, reads, lists by prefix, copies server-side and deletes", async () => {
    const data = Buffer.from("id,amount\n1,10\n");
    const key = await put(sut(), "contract/in/a.csv", data);
    await put(sut(), "contract/in/sub/b.csv", Buffer.from("x"));
    await put(sut(), "contract/other.csv", Buffer.from("y"));

    const head = await sut().store.head(sut().container, key);
    expect(head).toMatchObject({ key, size: data.length });
    expect(head!.lastModified).toBeInstanceOf(Date);
    if (head!.md5 !== null) expect(head!.md5).toBe(md5(data));
    expect(await sut().store.head(sut().container, keyIn(stores, sut(), "contract/in/missing.csv"))).toBeNull();
    expect(await get(sut(), key)).toEqual(data);

    expect(await keys(sut(), "contract/in/")).toEqual(["a.csv", "sub/b.csv"]);
    expect(await keys(sut(), "contract/")).toEqual(["in/a.csv", "in/sub/b.csv", "other.csv"]);

    const copyKey = keyIn(stores, sut(), "contract/copy/a.csv");
    await sut().store.copy({ container: sut().container, key }, { container: sut().container, key: copyKey });
    expect(await get(sut(), copyKey)).toEqual(data);

    await sut().store.delete(sut().container, copyKey);
    await sut().store.delete(sut().container, copyKey); // missing: not an error
    expect(await sut().store.head(sut().container, copyKey)).toBeNull();
    await expect(sut().store.read(sut().container, copyKey)).rejects.toThrow();
  });

  it("streams a multi-part object (20 MiB) without changing a byte", async () => {
    const big = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const key = keyIn(stores, sut(), "contract/big.bin");
    // Chunks of 1 MiB, size unknown: the store must choose multipart/resumable itself.
    const chunks = Array.from({ length: 20 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    await sut().store.write(sut().container, key, Readable.from(chunks));
    const digest = await digestOf(await sut().store.read(sut().container, key));
    expect(digest).toEqual({ size: big.length, sha256: sha256(big), md5: md5(big) });
    await sut().store.delete(sut().container, key);
  });
});

describe("transfers between stores", () => {
  const pairs: [string, string][] = [];
  for (const a of ["s3", "az", "gs", "file"]) for (const b of ["s3", "az", "gs", "file"]) if (a !== b) pairs.push([a, b]);

  it.each(pairs)("%s → %s: streams, hashes and verifies", async (a, b) => {
    const from = stores[a as "s3"];
    const to = stores[b as "s3"];
    const data = Buffer.from(`payload ${a}->${b} ${"z".repeat(1000)}`);
    const key = await put(from, `pairs/${a}-${b}.txt`, data);
    const info = (await from.store.head(from.container, key))!;
    const destKey = keyIn(stores, to, `pairs-out/${a}-${b}.txt`);
    const r = await transferObject(side(from, key), info, side(to, destKey), "auto");
    expect(r).toMatchObject({ size: data.length, sha256: sha256(data), md5: md5(data), serverSide: false });
    // Stores that keep an MD5 verify with it; the others are read back.
    expect(r.verifiedBy).toBe(to.scheme === "s3" || to.scheme === "gs" ? "provider-md5" : "read-back");
    expect(await get(to, destKey)).toEqual(data);
  });

  it("a 24 MiB object goes s3 → gs → az → file in parts, every hop verified", async () => {
    const big = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1024) big.writeUInt32BE(i ^ 0x5a5a5a5a, i);
    const hops = [stores.s3, stores.gs, stores.az, stores.file];
    let key = await put(hops[0]!, "big-hops/0.bin", big);
    for (let i = 1; i < hops.length; i++) {
      const from = hops[i - 1]!;
      const to = hops[i]!;
      const info = (await from.store.head(from.container, key))!;
      const destKey = keyIn(stores, to, `big-hops/${i}.bin`);
      const r = await transferObject(side(from, key), info, side(to, destKey), "auto");
      expect(r).toMatchObject({ size: big.length, sha256: sha256(big) });
      key = destKey;
    }
    expect(await digestOf(await stores.file.store.read("", key))).toEqual({ size: big.length, sha256: sha256(big), md5: md5(big) });
  });

  it("the same store copies server-side and still reports the digests", async () => {
    for (const sut of all()) {
      const data = Buffer.from(`same store ${sut.scheme}`);
      const key = await put(sut, "same/a.txt", data);
      const info = (await sut.store.head(sut.container, key))!;
      const r = await transferObject(side(sut, key), info, side(sut, keyIn(stores, sut, "same/b.txt")), "read-back");
      expect(r).toMatchObject({ serverSide: true, sha256: sha256(data), verifiedBy: "read-back" });
    }
  });

  it("s3 → az: a source corrupted at rest (bytes no longer match the ETag) fails and leaves no blob", async () => {
    const data = Buffer.from("id,amount\n1,10\n2,20\n");
    await put(stores.s3, "corrupt/src.csv", data);
    const info = (await stores.s3.store.head(stores.s3.container, "corrupt/src.csv"))!;
    expect(info.md5).toBe(md5(data));
    stores.s3Server.corrupt(stores.s3.container, "corrupt/src.csv", Buffer.from("id,amount\n1,10\n2,99\n"));
    const err = await transferObject(side(stores.s3, "corrupt/src.csv"), info, side(stores.az, "corrupt/dst.csv"), "auto").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(String(err)).toMatch(/MD5 .* but the store lists/);
    expect(await stores.az.store.head(stores.az.container, "corrupt/dst.csv")).toBeNull();
  });

  it("gs → file: a corrupted GCS object fails the download check and leaves no file", async () => {
    await put(stores.gs, "corrupt/g.csv", Buffer.from("a,b\n1,2\n"));
    const info = (await stores.gs.store.head(stores.gs.container, "corrupt/g.csv"))!;
    stores.gcs.corrupt(stores.gs.container, "corrupt/g.csv", Buffer.from("a,b\n1,3\n"));
    const dest = keyIn(stores, stores.file, "corrupt/g.csv");
    await expect(transferObject(side(stores.gs, "corrupt/g.csv"), info, side(stores.file, dest), "auto")).rejects.toThrow();
    expect(await stores.file.store.head("", dest)).toBeNull();
    expect(await keys(stores.file, "corrupt/")).toEqual([]);
  });

  it.each([
    ["az", "read-back"],
    ["gs", "auto"],
    ["s3", "auto"],
    ["file", "auto"],
  ] as const)("a destination that stores other bytes than were sent (%s, verify %s) is detected and deleted", async (scheme, verify) => {
    const to = stores[scheme];
    const data = Buffer.from("the real content");
    const key = await put(stores.s3, `flip/${scheme}.txt`, data);
    const info = (await stores.s3.store.head(stores.s3.container, key))!;
    const destKey = keyIn(stores, to, `flip/${scheme}.txt`);
    const err = await transferObject(side(stores.s3, key), info, { ...side(to, destKey), store: flipping(to.store) }, verify).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(await to.store.head(to.container, destKey)).toBeNull();
  });
});

/** The real store, except that writes flip the first byte on the way (a faulty network or disk). */
function flipping(store: ObjectStore): ObjectStore {
  return {
    ...store,
    list: store.list.bind(store),
    write(container, key, body, options) {
      let first = true;
      const flip = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (first && chunk.length > 0) {
            chunk = Buffer.from(chunk);
            chunk[0] = chunk[0]! ^ 0xff;
            first = false;
          }
          done(null, chunk);
        },
      });
      body.pipe(flip);
      return store.write(container, key, flip, options);
    },
  };
}
