import type { Connection } from "../../core/model/connection.js";
import type { FileLister, ListedFile } from "./file-lister.js";

/** URL schemes of the object stores (src/operators/storage) a file trigger can watch. */
export const BUCKET_SCHEMES = ["s3", "gs", "az"] as const;

/**
 * Lists a bucket prefix (`s3://bucket/prefix/`, `gs://…`, `az://container/…`) with the object
 * stores of the storage operators, opened per scan with the trigger's connection (none: the
 * SDK's default credentials). Objects are complete once listed; "folder" markers are skipped.
 */
export class ObjectStoreLister implements FileLister {
  async list(location: string, match: (name: string) => boolean, recursive: boolean, conn: Connection | null): Promise<ListedFile[]> {
    const { parseObjectUrl, formatObjectUrl } = await import("../../operators/storage/object-url.js");
    const { openObjectStore } = await import("../../operators/storage/open-object-store.js");
    const url = parseObjectUrl(location, "onFile({ bucket })");
    const prefix = url.key === "" || url.key.endsWith("/") ? url.key : `${url.key}/`;
    const store = await openObjectStore(url.scheme, conn);
    const out: ListedFile[] = [];
    try {
      for await (const o of store.list(url.container, prefix)) {
        const name = o.key.slice(prefix.length);
        if (name === "" || name.endsWith("/") || (!recursive && name.includes("/")) || !match(name)) continue;
        out.push({ path: formatObjectUrl({ ...url, key: o.key }), name, size: o.size, mtime: o.lastModified?.getTime() ?? 0 });
      }
    } finally {
      await store.close();
    }
    return out;
  }
}
