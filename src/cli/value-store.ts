import type { BatonConfig } from "../config/config.js";
import type { Connection } from "../core/model/connection.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { ValueRef, ValueStore } from "../core/ports/value-store.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import { openValueStore, parseValueStoreUrl } from "../operators/storage/object-value-store.js";
import type { ValueOffloading } from "../scheduler/value-offloader.js";

/**
 * BATON_VALUE_STORE (docs/storage.md#large-return-values), opened on first use: its SDK loads
 * and its connection (BATON_VALUE_STORE_CONN: an id looked up like `ctx.connection`, or a URI) is
 * resolved only when a value is written or read. The URL is checked now.
 */
export function configuredValueStore(config: BatonConfig, secrets: SecretsResolver | null): ValueStore {
  const base = parseValueStoreUrl(config.valueStoreUrl);
  let opened: Promise<ValueStore> | undefined;
  const open = () =>
    (opened ??= (async () => {
      const conn = base.scheme === "file" ? null : await connectionOf(config.valueStoreConn, secrets);
      return openValueStore(config.valueStoreUrl, conn);
    })());
  // A failed open is tried again on the next use (a store that was down at first).
  const use = async <T>(fn: (s: ValueStore) => Promise<T>): Promise<T> => {
    try {
      return await fn(await open());
    } catch (e) {
      if (
        opened &&
        (await opened.then(
          () => false,
          () => true,
        ))
      )
        opened = undefined;
      throw e;
    }
  };
  const url = base.scheme === "file" ? `file:///${base.key}` : `${base.scheme}://${base.container}/${base.key}`;
  return {
    url,
    write: (key: string, text: string) => use((s) => s.write(key, text)),
    read: (ref: ValueRef) => use((s) => s.read(ref)),
    delete: (key: string) => use((s) => s.delete(key)),
    deletePrefix: (prefix: string) => use((s) => s.deletePrefix(prefix)),
    close: async () => {
      const s = await opened?.catch(() => undefined);
      await s?.close();
    },
  };
}

/** What the scheduler offloads with; undefined when BATON_VALUE_STORE_THRESHOLD is `off`. */
export function valueOffloading(config: BatonConfig, store: ValueStore): ValueOffloading | undefined {
  return config.valueStoreThresholdBytes === null ? undefined : { store, thresholdBytes: config.valueStoreThresholdBytes };
}

async function connectionOf(conn: string | null, secrets: SecretsResolver | null): Promise<Connection | null> {
  if (conn === null) return null;
  if (conn.includes("://")) return parseConnectionUri("value_store", conn);
  if (secrets === null) throw new Error(`BATON_VALUE_STORE_CONN names connection "${conn}", but no connections are available here; give a URI instead`);
  return secrets.connection(conn);
}
