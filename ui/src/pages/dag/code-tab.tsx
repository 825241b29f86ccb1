/** Source of the DAG file: the latest version, or the version a selected run used. */
import { useMemo } from "react";
import { useDagSource } from "../../api/queries";
import { ErrorState, SkeletonRows } from "../../design/misc";
import { useSearchParam } from "../../router";
import { RunPicker, useSelectedRun } from "./run-picker";
import { highlight } from "./highlight";

export function CodeTab({ dagId }: { dagId: string }) {
  const [sp] = useSearchParam();
  const { run } = useSelectedRun(dagId);
  const version = sp.get("run") && run ? run.dagVersion : null;
  const src = useDagSource(dagId, version);
  const lines = useMemo(() => (src.data ? highlight(src.data.source.replace(/\r?\n$/, "")) : []), [src.data]);
  return (
    <div className="card">
      <div className="card-head toolbar">
        <RunPicker dagId={dagId} allowLatest="Latest version" label="Version of" />
        <span className="spacer" />
        {src.data && (
          <span className="xs muted mono" title={src.data.fileloc}>
            {src.data.fileloc} · {src.data.version.slice(0, 12)}
          </span>
        )}
      </div>
      {src.isPending ? (
        <SkeletonRows rows={12} height={14} />
      ) : src.isError ? (
        <ErrorState error={src.error} onRetry={() => void src.refetch()} />
      ) : (
        <div className="code" role="region" aria-label={`Source of ${src.data.fileloc}`} tabIndex={0} data-testid="dag-source">
          <div className="code-ln" aria-hidden="true">
            {lines.map((_, i) => `${i + 1}\n`).join("")}
          </div>
          <code className="code-src">
            {lines.map((l, i) => (
              <div key={i}>{l.length ? l : "\u200b"}</div>
            ))}
          </code>
        </div>
      )}
    </div>
  );
}
