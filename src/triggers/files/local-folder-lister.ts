import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.js";
import type { FileLister, ListedFile } from "./file-lister.js";

/** Lists regular files of a local folder (symbolic links are followed; sub-folders when recursive). */
export class LocalFolderLister implements FileLister {
  async list(location: string, match: (name: string) => boolean, recursive: boolean): Promise<ListedFile[]> {
    const root = location.startsWith("file://") ? new URL(location).pathname : location;
    const out: ListedFile[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (prefix === "" && (e as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`folder ${root} does not exist`);
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // removed while walking
        throw e;
      }
      for (const entry of entries) {
        const name = prefix + entry.name;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (recursive) await walk(path, `${name}/`);
          continue;
        }
        if (!match(name)) continue;
        const s = await stat(path).catch(() => null); // gone, or a dangling link
        if (s?.isFile()) out.push({ path, name, size: s.size, mtime: Math.floor(s.mtimeMs) });
      }
    };
    await walk(root, "");
    return out;
  }
}
