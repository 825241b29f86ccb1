/** "File does not load": a DAG whose file stopped loading runs as last loaded; links to the import errors. */
import { Icon } from "../../design/icons";
import { Link } from "../../router";
import "./import-error-marker.css";

/** A DAG's `importError` as the API gives it (its file's first import error), null when the file loads. */
export interface DagImportError {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  at: string | null;
}

export function ImportErrorMarker({ dag }: { dag: { dagId: string; importError?: DagImportError | null } }) {
  const e = dag.importError;
  if (!e) return null;
  const where = `${e.file.split(/[\\/]/).pop() ?? e.file}${e.line !== null ? `:${e.line}` : ""}`;
  const first = e.message.split("\n")[0] ?? "";
  const title = `${e.file}${e.line !== null ? `:${e.line}` : ""}${e.column !== null && e.line !== null ? `:${e.column}` : ""}\n${e.message}\n\nThe DAG keeps running as last loaded until the file is fixed.`;
  return (
    <Link to="/import-errors" className="import-error-marker" title={title} data-testid={`import-error-${dag.dagId}`}>
      <Icon.warn size={12} />
      <span className="truncate">
        file does not load: {first} ({where})
      </span>
    </Link>
  );
}
