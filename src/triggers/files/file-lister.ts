import type { Connection } from "../../core/model/connection.js";

/** A file (or object) a lister found. */
export interface ListedFile {
  /** Absolute path, or the object's URL ("s3://bucket/prefix/a.csv"). */
  path: string;
  /** The path relative to the watched location, "/"-separated: what the pattern matches. */
  name: string;
  size: number;
  /** Last modification, epoch ms. */
  mtime: number;
}

/**
 * Lists the files under a location. Local folders are built in (`LocalFolderLister`, scheme
 * "file"); an object-storage lister (S3, GCS, Azure) registers under its URL scheme in the
 * TriggerManager's `listers` (docs/event-triggers.md#buckets).
 */
export interface FileLister {
  /**
   * Files under `location` whose name satisfies `match`, looking into sub-folders only when
   * `recursive`. `conn` is the trigger's connection, resolved (null when it names none).
   */
  list(location: string, match: (name: string) => boolean, recursive: boolean, conn: Connection | null): Promise<ListedFile[]>;
}

/** The URL scheme of a location: "file" for an absolute path. */
export function locationScheme(location: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//.exec(location);
  return m ? m[1]! : "file";
}
