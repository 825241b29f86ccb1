import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { randomUUID } from "node:crypto";
import type { ObjectInfo, ObjectStore, WriteOptions } from "./object-store.js";

/**
 * The local file system as an object store: keys are absolute paths without the leading "/",
 * the container is unused. Writes go to a temporary file next to the target, renamed into place
 * when complete, so a reader never sees half a file. Listing follows no symbolic links.
 */
export function openLocalStore(): ObjectStore {
  const path = (key: string) => `/${key}`;
  const infoOf = async (key: string): Promise<ObjectInfo | null> => {
    try {
      const s = await stat(path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime, md5: null } : null;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  };
  return {
    scheme: "file",
    async *list(_container, prefix) {
      const dirKey = prefix.slice(0, prefix.lastIndexOf("/") + 1);
      const walk = async function* (dir: string): AsyncGenerator<ObjectInfo> {
        let entries: Dirent[];
        try {
          entries = await readdir(path(dir), { withFileTypes: true });
        } catch (e) {
          if (isMissing(e)) return;
          throw e;
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          const key = `${dir}${entry.name}`;
          if (entry.isDirectory() && (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`))) yield* walk(`${key}/`);
          else if (entry.isFile() && key.startsWith(prefix) && !entry.name.includes(".baton-partial-")) {
            const info = await infoOf(key);
            if (info) yield info;
          }
        }
      };
      yield* walk(dirKey);
    },
    head: (_container, key) => infoOf(key),
    async read(_container, key) {
      const stream = createReadStream(path(key));
      // Surface a missing file now, not at the first read.
      await new Promise<void>((resolve, reject) => {
        stream.once("open", () => resolve());
        stream.once("error", reject);
      });
      return stream;
    },
    async write(_container, key, body, options: WriteOptions = {}) {
      const target = path(key);
      await mkdir(dirname(target), { recursive: true });
      const partial = join(dirname(target), `.${randomUUID().slice(0, 8)}.baton-partial-${target.split("/").pop()}`);
      try {
        await pipeline(body, createWriteStream(partial), { ...(options.signal ? { signal: options.signal } : {}) });
        await rename(partial, target);
      } catch (e) {
        await rm(partial, { force: true });
        throw e;
      }
    },
    async delete(_container, key) {
      await rm(path(key), { force: true });
    },
    async copy(from, to) {
      await mkdir(dirname(path(to.key)), { recursive: true });
      await copyFile(path(from.key), path(to.key));
    },
    async close() {},
  };
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
