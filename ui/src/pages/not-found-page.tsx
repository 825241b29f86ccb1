/**
 * What was not found, and where to go from there: for an unknown address, DAG or run. Used by the
 * router's fallback, the DAG page (the API answered 404 for the DAG) and the run and task panels.
 */
import { ApiError } from "../api/client";
import { Icon } from "../design/icons";
import { Link } from "../router";
import { openSearch, searchShortcutLabel } from "./search/open-search";

/** The API said 404. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export type Missing =
  | { kind: "page"; path: string }
  | { kind: "dag"; dagId: string }
  | { kind: "run"; dagId: string; runId: string }
  | { kind: "task"; dagId: string; runId: string; taskId: string };

export function NotFoundPage({ missing }: { missing: Missing }) {
  const { title, text, searchFor } = describe(missing);
  return (
    <div className="empty" style={{ paddingTop: "var(--space-7)" }} role="alert" data-testid="not-found">
      <div className="empty-icon">
        <Icon.search size={22} />
      </div>
      <h1 style={{ fontSize: "var(--text-xl)" }}>{title}</h1>
      <p className="small" style={{ maxWidth: 520 }}>
        {text}
      </p>
      <div className="btn-group" style={{ justifyContent: "center" }}>
        {(missing.kind === "run" || missing.kind === "task") && (
          <Link to={`/dags/${encodeURIComponent(missing.dagId)}/runs`} className="btn btn-primary">
            Runs of {missing.dagId}
          </Link>
        )}
        <Link to="/" className="btn" data-testid="not-found-home">
          Home
        </Link>
        <Link to="/dags" className="btn" data-testid="not-found-dags">
          All DAGs
        </Link>
        <button type="button" className="btn" onClick={() => openSearch(searchFor)} data-testid="not-found-search">
          <Icon.search size={12} /> Search{searchFor ? ` for “${searchFor}”` : ""} <kbd>{searchShortcutLabel()}</kbd>
        </button>
      </div>
    </div>
  );
}

function describe(m: Missing): { title: string; text: React.ReactNode; searchFor: string } {
  switch (m.kind) {
    case "page":
      return {
        title: "Page not found",
        text: (
          <>
            There is nothing at <code>{m.path}</code>. The link may be old, or the address mistyped.
          </>
        ),
        searchFor: "",
      };
    case "dag":
      return {
        title: `DAG “${m.dagId}” not found`,
        text: (
          <>
            No active DAG has this id. It may have been renamed or removed from its file, or the file may have{" "}
            <Link to="/import-errors" className="link">
              failed to load
            </Link>
            .
          </>
        ),
        searchFor: m.dagId,
      };
    case "run":
      return {
        title: `Run “${m.runId}” not found`,
        text: (
          <>
            DAG <code>{m.dagId}</code> has no run with this id. It may have been deleted by retention (<code>baton db clean</code>), or the id mistyped.
          </>
        ),
        searchFor: m.runId,
      };
    case "task":
      return {
        title: `Task “${m.taskId}” not found in this run`,
        text: (
          <>
            Run <code>{m.runId}</code> of <code>{m.dagId}</code> has no instance of this task: a run keeps the DAG version it started with, so a task added
            later is not in it; or the run or task id is mistyped.
          </>
        ),
        searchFor: m.taskId,
      };
  }
}
