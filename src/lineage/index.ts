import type { LineageConfig } from "../config/lineage-config.js";
import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { Store } from "../core/ports/store.js";
import { LineageEmitter } from "./lineage-emitter.js";
import { openTransport } from "./transports.js";

export { LineageEmitter } from "./lineage-emitter.js";
export { lineageGraph, type LineageGraph } from "./lineage-graph.js";

/** The producer URI of Baton's events (OpenLineage's `producer` and facets' `_producer`). */
export function batonProducer(version: string): string {
  return `urn:baton:${version}`;
}

/**
 * The OpenLineage emitter a configuration asks for, not yet subscribed (pass its `listener` to
 * `scheduler.onDomainEvent`); null when lineage is off.
 */
export function openLineage(
  config: LineageConfig | null,
  deps: { store: Pick<Store, "getRun" | "getDagVersion">; secrets: SecretsResolver | null; clock: Clock; logger: Logger; version: string },
): LineageEmitter | null {
  if (config === null) return null;
  return new LineageEmitter({
    store: deps.store,
    secrets: deps.secrets,
    transport: openTransport(config.transport, deps.logger),
    identity: { namespace: config.namespace, producer: batonProducer(deps.version) },
    clock: deps.clock,
    logger: deps.logger,
  });
}
