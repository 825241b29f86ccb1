import type { Connection } from "../core/model/connection.js";
import type { TaskSpec } from "../core/model/dag-spec.js";
import type { LineageTarget } from "../core/model/operator-lineage.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import { renderTemplate } from "../core/templating/render-template.js";
import type { TaskFacts } from "./build-events.js";
import { connectionNamespace, datasetFromUri, sqlDialect, tableName, type DatasetName } from "./dataset-naming.js";
import { sqlTables } from "./sql-tables.js";

/** Looks a connection id up; null when it cannot be resolved (its datasets are left out). */
export type ConnectionLookup = (conn: string) => Promise<Connection | null>;

/**
 * The datasets a task reads and writes, for its attempt's events: its declared `inlets`/`outlets`
 * (named by {@link datasetFromUri}) and what its built-in operator touches — SQL tables found in
 * its statements on its connection's datasource, object URLs, broker topics — with templates
 * rendered against the attempt's variables (`vars`; left as written when they cannot be).
 */
export async function taskFacts(task: TaskSpec, vars: Record<string, unknown>, lookupId: ConnectionLookup): Promise<TaskFacts> {
  const lookup: ConnectionLookup = async (conn) => {
    if (!conn.includes("://")) return lookupId(conn);
    try {
      return parseConnectionUri("(uri)", conn);
    } catch {
      return null;
    }
  };
  const render = (t: string) => {
    try {
      return renderTemplate(t, vars);
    } catch {
      return t;
    }
  };
  const inputs: DatasetName[] = (task.inlets ?? []).map(datasetFromUri);
  const outputs: DatasetName[] = (task.outlets ?? []).map(datasetFromUri);
  let sql: TaskFacts["sql"] = null;
  const op = task.operator;
  if (op) {
    for (const t of op.inputs) push(inputs, await target(t, render, lookup));
    for (const t of op.outputs) push(outputs, await target(t, render, lookup));
    if (op.sql && op.sql.statements.length > 0) {
      const statements = op.sql.statements.map(render);
      const conn = await lookup(render(op.sql.conn));
      if (conn !== null) {
        const namespace = connectionNamespace(conn);
        const tables = sqlTables(statements.join(";\n"));
        for (const t of tables.inputs) push(inputs, { namespace, name: tableName(conn, t) });
        for (const t of tables.outputs) push(outputs, { namespace, name: tableName(conn, t) });
        sql = { query: statements.join(";\n"), dialect: sqlDialect(conn) };
      } else {
        sql = { query: statements.join(";\n"), dialect: "unknown" };
      }
    }
  }
  return { inputs, outputs, sql };
}

async function target(t: LineageTarget, render: (t: string) => string, lookup: ConnectionLookup): Promise<DatasetName | null> {
  if (t.kind === "object") return datasetFromUri(render(t.url));
  const conn = await lookup(render(t.conn));
  return conn === null ? null : { namespace: connectionNamespace(conn), name: render(t.name) };
}

function push(list: DatasetName[], d: DatasetName | null): void {
  if (d !== null && !list.some((x) => x.namespace === d.namespace && x.name === d.name)) list.push(d);
}
