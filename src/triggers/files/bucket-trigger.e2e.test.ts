import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import type { FileTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { ObjectStore } from "../../operators/storage/object-store.js";
import { openObjectStore } from "../../operators/storage/open-object-store.js";
import { startS3Server, type TestS3Server } from "../../../test/support/s3-server.js";
import { sleep, TriggerFixture } from "../testing/trigger-fixture.js";

// A bucket prefix watched through the storage operators' S3 store, against s3rver on 127.0.0.1.
let s3: TestS3Server;
let objects: ObjectStore;
beforeAll(async () => {
  s3 = await startS3Server(["incoming"]);
  objects = await openObjectStore("s3", parseConnectionUri("s3", s3.uri));
}, 60_000);
afterAll(async () => {
  await objects?.close();
  await s3?.close();
});

let f: TriggerFixture;
beforeEach(async () => {
  f = await new TriggerFixture().open();
});
afterEach(() => f.dispose());

const put = (key: string, text: string) => objects.write("incoming", key, Readable.from([Buffer.from(text)]), { size: Buffer.byteLength(text) });
const spec = (prefix: string): FileTriggerSpec => ({
  kind: "files",
  id: "bucket",
  location: `s3://incoming/${prefix}/`,
  pattern: "*.csv",
  conn: s3.uri,
  pollMs: 150,
});

describe("file triggers on a bucket prefix (S3)", () => {
  it("gives each new object under the prefix one run, with its URL in the conf, and none again after a restart", async () => {
    const prefix = `drop-${Date.now()}`;
    await f.saveDag("ingest", [spec(prefix)]);
    const first = await f.manager();
    await put(`${prefix}/a.csv`, "1,2\n");
    await put(`${prefix}/sub/nested.csv`, "no: the pattern has no /\n");
    await put(`${prefix}/b.json`, "{}");
    await put(`elsewhere/c.csv`, "other prefix\n");
    await f.until(async () => (await f.runs("ingest")).length === 1, 15_000, "the object's run");
    const [run] = await f.runs("ingest");
    expect(run!.runType).toBe("event");
    expect(run!.conf.file).toMatchObject({ path: `s3://incoming/${prefix}/a.csv`, name: "a.csv", size: 4 });
    await first.stop();

    await f.manager();
    await put(`${prefix}/d.csv`, "3,4\n");
    await f.until(async () => (await f.runs("ingest")).length === 2, 15_000, "the second object's run");
    await sleep(600);
    expect((await f.runs("ingest")).map((r) => (r.conf.file as { name: string }).name)).toEqual(["a.csv", "d.csv"]);
  });
});
