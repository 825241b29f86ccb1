import { describe, expect, expectTypeOf, it } from "vitest";
import { dag, type TaskRef } from "../../sdk/index.js";
import { copyObjects, deleteObjects, listObjects, moveObjects, objectSensor } from "../index.js";
import type { DeleteObjectsResult, ObjectEntry, TransferManifest } from "../index.js";

describe("object storage operator declarations", () => {
  it("are typed TaskRefs with the task options next to their own", () => {
    const def = dag({ id: "typing_storage" }, (d) => {
      const listed = listObjects(d, "list", { url: "s3://raw/in/", conn: "raw_s3", glob: "*.csv", retries: 1 });
      const copied = copyObjects(d, "copy", { source: { url: "s3://raw/in/", conn: "raw_s3" }, dest: "file:///tmp/out/", retries: 3, timeout: "10m" });
      const moved = moveObjects(d, "move", { source: "gs://a/b.csv", dest: { url: "az://c/d.csv", conn: "az" }, verify: "read-back" });
      const deleted = deleteObjects(d, "delete", { url: "file:///tmp/out/", keys: ["a.csv"] });
      const sensed = objectSensor(d, "sense", { url: "az://c/_SUCCESS", conn: "az", timeout: "1h" });
      expectTypeOf(listed).toEqualTypeOf<TaskRef<ObjectEntry[]>>();
      expectTypeOf(copied).toEqualTypeOf<TaskRef<TransferManifest>>();
      expectTypeOf(moved).toEqualTypeOf<TaskRef<TransferManifest>>();
      expectTypeOf(deleted).toEqualTypeOf<TaskRef<DeleteObjectsResult>>();
      expectTypeOf(sensed).toEqualTypeOf<TaskRef<ObjectEntry[]>>();
    });
    const tasks = def.toSpec().tasks;
    expect(tasks.map((t) => t.taskId)).toEqual(["list", "copy", "move", "delete", "sense"]);
    expect(tasks.find((t) => t.taskId === "copy")).toMatchObject({ retries: 3 });
    expect(tasks.find((t) => t.taskId === "sense")).toMatchObject({ executionTimeoutMs: null });
  });

  it.each([
    [
      (d: never) => copyObjects(d, "c", { source: "s3://a/", dest: "az://b/", verify: "md5" as never }),
      /copyObjects\("c"\): verify must be one of auto, read-back, got "md5"/,
    ],
    [(d: never) => copyObjects(d, "c", { source: "s3://a/", dest: "az://b/", concurrency: 0 }), /concurrency must be an integer from 1 to 64/],
    [
      (d: never) => moveObjects(d, "m", { source: { url: "s3://a/", connection: "x" } as never, dest: "az://b/" }),
      /moveObjects\("m"\): source: unknown key "connection"; valid keys: url, conn/,
    ],
    [(d: never) => copyObjects(d, "c", { source: "s3://a/", dest: 42 as never }), /copyObjects\("c"\): dest must be an object URL/],
    [(d: never) => listObjects(d, "l", { url: "" }), /listObjects\("l"\): url must be an object URL/],
    [(d: never) => listObjects(d, "l", { url: "s3://a/", maxObjects: 0 }), /maxObjects must be an integer >= 1/],
    [(d: never) => objectSensor(d, "s", { url: "s3://a/", minCount: 1.5 }), /objectSensor\("s"\): minCount must be an integer >= 1/],
    [
      (d: never) => deleteObjects(d, "x", { url: "s3://a/", glob: "*", recursive: true } as never),
      /deleteObjects\("x"\): unknown option "recursive"; valid options: url, conn, glob, keys, failIfMissing, allowWholePrefix/,
    ],
  ])("refuse bad options when the DAG loads (%#)", (declare, message) => {
    expect(() => dag({ id: "bad_storage" }, (d) => void declare(d as never))).toThrow(message);
  });
});
