/**
 * Files the DAG processor could not load, each as file:line:column and the message; then the
 * background type check's warnings (severity "warning": the DAG loads and runs), marked as such.
 */
import { useImportErrors } from "../api/queries";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { fmtDate } from "../lib/format";
import { Link } from "../router";

export function ImportErrorsPage() {
  const errors = useImportErrors();
  return (
    <>
      <div className="crumbs">
        <Link to="/dags">DAGs</Link>
        <Icon.chevronRight size={12} />
        <span>Import errors</span>
      </div>
      <h1>Import errors</h1>
      <p className="muted small">
        Load errors stop a file's changes from taking effect. Warnings are type errors found by the background type check (<code>baton dags check</code>): the
        DAG still loads and runs.
      </p>
      <div className="card">
        {errors.isPending ? (
          <SkeletonRows rows={3} height={48} />
        ) : errors.isError ? (
          <ErrorState error={errors.error} onRetry={() => void errors.refetch()} />
        ) : errors.data.length === 0 ? (
          <EmptyState icon={<Icon.check size={22} />} title="Every DAG file loaded">
            There are no import errors or type warnings. Fixed files are reloaded automatically.
          </EmptyState>
        ) : (
          <ul className="error-list" data-testid="import-errors-list">
            {errors.data.map((e, i) => {
              const warning = e.severity === "warning";
              return (
                <li key={`${e.file}:${i}`} data-severity={warning ? "warning" : "error"}>
                  <div className="row">
                    <Icon.file size={14} />
                    <code className="error-loc">
                      {e.file}
                      {e.line !== null ? `:${e.line}` : ""}
                      {e.column !== null && e.line !== null ? `:${e.column}` : ""}
                    </code>
                    <span className={warning ? "badge badge-warn" : "badge badge-danger"}>
                      {warning ? `Type warning${typeof e.code === "number" ? ` TS${e.code}` : ""}` : "Load error"}
                    </span>
                    <span className="spacer" />
                    <span className="muted xs">{fmtDate(e.at)}</span>
                  </div>
                  <pre className={warning ? "pre warning-msg" : "pre error-msg"}>{stripLocation(e.message, e.file)}</pre>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </>
  );
}

/** Messages often start with their own "file:line:" prefix; the heading already shows it. */
function stripLocation(message: string, file: string): string {
  return message.startsWith(`${file}:`) ? message.replace(/^[^\s]*?:\d+(?::\d+)?:\s*/, "") : message;
}
