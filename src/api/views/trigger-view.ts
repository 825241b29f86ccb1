import type { EventTriggerSpec } from "../../core/model/event-trigger-spec.js";

/** A connection as shown: its id, never a URI (which may carry a password). */
function connLabel(conn: string | null): string | null {
  if (conn === null) return null;
  return conn.includes("://") ? "(a connection URI)" : conn;
}

/** An event trigger of a DAG for display: id, kind and one line describing it. */
export function triggerView(t: EventTriggerSpec): { id: string; kind: "files" | "messages"; description: string } {
  if (t.kind === "files") {
    const where = t.conn === null ? t.location : `${t.location} (connection ${connLabel(t.conn)})`;
    return { id: t.id, kind: t.kind, description: `a run per file matching ${t.pattern} in ${where}, scanned every ${t.pollMs / 1000}s` };
  }
  const s = t.source;
  const from =
    s.broker === "nats"
      ? `NATS stream ${s.stream} (durable ${s.durable}${s.subject ? `, subject ${s.subject}` : ""})`
      : s.broker === "amqp"
        ? `RabbitMQ queue ${s.queue}`
        : s.broker === "redis"
          ? `Redis stream ${s.stream} (group ${s.group})`
          : s.broker === "mqtt"
            ? `MQTT topic ${s.topic}`
            : `Kafka topic ${s.topic} (group ${s.groupId})`;
  const per = t.batch === null ? "a run per message" : `a run per batch of up to ${t.batch.size} messages within ${t.batch.withinMs / 1000}s`;
  return { id: t.id, kind: t.kind, description: `${per} from ${from} via connection ${connLabel(t.conn)}` };
}
