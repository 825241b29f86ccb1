/** The DAG list: search, tag chips, paused filter, a pause switch and recent runs per DAG. */
import { memo, useEffect, useMemo, useState } from "react";
import { useDags, useImportErrors, usePauseDag, type DagFilters } from "../api/queries";
import type { DagSummary } from "../api/types";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows, Switch, Tip } from "../design/misc";
import { StateBadge, stateLabel, StateGlyph, stateVars } from "../design/state";
import { useToast } from "../design/toast";
import { useDenied } from "../lib/auth";
import { fmtRelative, fmtShort } from "../lib/format";
import { Link, useSearchParam } from "../router";
import { scheduleText } from "../lib/schedule-text";
import { applyListView, lastRunOf, lastRunTime, readListView, sortPatch, type SortKey } from "./dag-list/dag-sort";
import { SortHeader } from "./dag-list/sort-header";
import "./dag-list/dag-list.css";
import { ImportErrorMarker } from "./dag/import-error-marker";

export function DagListPage() {
  const [sp, setSp] = useSearchParam();
  const q = sp.get("q") ?? "";
  const tag = sp.get("tag") ?? "";
  const paused = (sp.get("paused") ?? "") as DagFilters["paused"];
  const [search, setSearch] = useState(q);
  useEffect(() => {
    const t = setTimeout(() => {
      if (search !== q) setSp({ q: search || null }, true);
    }, 200);
    return () => clearTimeout(t);
  }, [search, q, setSp]);

  const dags = useDags({ search: q, tag, paused });
  const all = useDags({});
  const tags = useMemo(() => [...new Set((all.data?.dags ?? []).flatMap((d) => d.tags))].sort(), [all.data]);
  const importErrors = useImportErrors();
  // Type-check warnings (severity "warning") refuse nothing: only load errors make the banner.
  const nErrors = importErrors.data?.filter((e) => e.severity !== "warning").length ?? 0;
  // Sort and the "failing" filter (last run failed): in the URL, applied to the fetched list.
  const view = readListView(sp);
  const rows = useMemo(() => (dags.data ? applyListView(dags.data.dags, view) : []), [dags.data, view.sort, view.order, view.failing]); // deliberately partial dependencies (react-hooks/exhaustive-deps)
  const nFailing = useMemo(() => (all.data?.dags ?? []).filter((d) => lastRunOf(d)?.state === "failed").length, [all.data]);
  const onSort = (key: SortKey) => setSp(sortPatch(view, key), true);
  const filtered = Boolean(q || tag || paused || view.failing);

  return (
    <>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>DAGs</h1>
          <p className="muted small">{all.data ? `${all.data.total} DAG${all.data.total === 1 ? "" : "s"}` : "\u00a0"}</p>
        </div>
      </div>

      {nErrors > 0 && (
        <div className="banner banner-danger" role="alert" data-testid="import-errors-banner">
          <Icon.warn />
          <span>
            <strong>
              {nErrors} DAG file{nErrors === 1 ? "" : "s"} failed to load.
            </strong>{" "}
            Their DAGs run as last loaded, marked below, until the file is fixed; a file that never loaded has no DAG here.
          </span>
          <span className="spacer" />
          <Link to="/import-errors" className="btn btn-sm">
            View import errors
          </Link>
        </div>
      )}

      <div className="card">
        <div className="card-head toolbar">
          <label className="search">
            <Icon.search size={14} />
            <span className="sr-only">Search DAGs</span>
            <input
              className="input"
              type="search"
              placeholder="Search DAGs…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="dag-search"
            />
          </label>
          <div className="seg" role="group" aria-label="Filter by paused state">
            {(
              [
                ["", "All"],
                ["false", "Active"],
                ["true", "Paused"],
              ] as const
            ).map(([v, label]) => (
              <button key={v} type="button" aria-pressed={paused === v} onClick={() => setSp({ paused: v || null })}>
                {label}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="chip chip-failing"
            aria-pressed={view.failing}
            onClick={() => setSp({ failing: view.failing ? null : "1" })}
            title="Only DAGs whose last run failed"
            data-testid="filter-failing"
          >
            {view.failing ? <Icon.check size={12} /> : <Icon.cross size={12} />}Failing{nFailing > 0 && <span className="badge">{nFailing}</span>}
          </button>
          {tags.length > 0 && (
            <div className="row-wrap" role="group" aria-label="Filter by tag">
              {tags.map((t) => (
                <button
                  key={t}
                  type="button"
                  className="chip"
                  aria-pressed={tag === t}
                  onClick={() => setSp({ tag: tag === t ? null : t })}
                  data-testid={`tag-chip-${t}`}
                >
                  {tag === t && <Icon.check size={12} />}
                  {t}
                </button>
              ))}
            </div>
          )}
        </div>
        {dags.isPending ? (
          <SkeletonRows rows={6} />
        ) : dags.isError ? (
          <ErrorState error={dags.error} onRetry={() => void dags.refetch()} />
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState icon={<Icon.search size={22} />} title="No DAGs match these filters">
              <p className="small">Try another search or clear the filters.</p>
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setSearch("");
                  setSp({ q: null, tag: null, paused: null, failing: null });
                }}
              >
                Clear filters
              </button>
            </EmptyState>
          ) : (
            <EmptyState title="No DAGs yet">
              <p className="small">
                Put a <code>.ts</code> file that default-exports a <code>dag()</code> in the DAGs folder (the <code>--dags</code> directory the server was
                started with, e.g. <code>examples/dags</code>). Baton picks it up within seconds.
              </p>
              <pre
                className="pre"
                style={{ textAlign: "left" }}
              >{`import { dag } from "baton";\n\nexport default dag({ id: "hello", schedule: "@daily", startDate: "2026-01-01" }, (d) => {\n  d.shell("greet", { command: "echo hello" });\n});`}</pre>
            </EmptyState>
          )
        ) : (
          <div className="table-wrap">
            <table className="table table-dense" data-testid="dag-table">
              <thead>
                <tr>
                  <th scope="col" style={{ width: 56 }}>
                    <span className="sr-only">Active</span>
                  </th>
                  <SortHeader label="DAG" sortKey="dagId" view={view} onSort={onSort} />
                  <SortHeader label="Owner" sortKey="owner" view={view} onSort={onSort} />
                  <SortHeader label="Schedule" sortKey="schedule" view={view} onSort={onSort} />
                  <SortHeader label="Last run" sortKey="lastRun" view={view} onSort={onSort} />
                  <SortHeader label="State" sortKey="lastState" view={view} onSort={onSort} />
                  <SortHeader label="Next run" sortKey="nextRun" view={view} onSort={onSort} />
                  <th scope="col">Recent runs</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <DagRow key={d.dagId} dag={d} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}

const DagRow = memo(function DagRow({ dag }: { dag: DagSummary }) {
  const pause = usePauseDag();
  const toast = useToast();
  const denied = useDenied("user");
  const toggle = (active: boolean) =>
    pause.mutate(
      { dagId: dag.dagId, paused: !active },
      { onError: (e) => toast(`Could not ${active ? "unpause" : "pause"} ${dag.dagId}: ${e.message}`, "error") },
    );
  const human = scheduleText(dag.schedule, dag.timezone);
  const last = lastRunOf(dag);
  const lastAt = lastRunTime(last);
  return (
    <tr data-testid={`dag-row-${dag.dagId}`} data-paused={dag.paused}>
      <td>
        <Tip text={denied}>
          <Switch
            checked={!dag.paused}
            onChange={toggle}
            disabled={Boolean(denied)}
            label={`${dag.paused ? "Unpause" : "Pause"} ${dag.dagId}`}
            title={dag.paused ? "Paused — click to activate" : "Active — click to pause"}
            testId={`pause-toggle-${dag.dagId}`}
          />
        </Tip>
      </td>
      <td style={{ minWidth: 240 }}>
        <div className="stack" style={{ gap: 2 }}>
          <div className="row-wrap" style={{ gap: 6 }}>
            <Link to={`/dags/${encodeURIComponent(dag.dagId)}`} className="link dag-link" data-testid={`dag-link-${dag.dagId}`}>
              {dag.dagId}
            </Link>
            {dag.paused && (
              <span className="badge">
                <Icon.pause size={10} /> Paused
              </span>
            )}
            {dag.tags.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </div>
          {dag.description && (
            <span className="muted small truncate" style={{ maxWidth: 420 }} title={dag.description}>
              {dag.description}
            </span>
          )}
          <ImportErrorMarker dag={dag} />
        </div>
      </td>
      <td className="small">{dag.owner ?? <span className="muted">—</span>}</td>
      <td className="schedule-cell">
        <code className="small">{dag.schedule ?? "manual"}</code>
        {human && (
          <div className="muted xs" data-testid={`schedule-text-${dag.dagId}`}>
            {human}
          </div>
        )}
      </td>
      <td className="small nowrap" title={lastAt ?? undefined} data-testid={`last-run-${dag.dagId}`}>
        {last ? (
          <Link to={`/dags/${encodeURIComponent(dag.dagId)}/grid?run=${encodeURIComponent(last.runId)}`} className="link">
            {lastAt ? fmtRelative(lastAt) : last.runId}
          </Link>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td data-testid={`last-state-${dag.dagId}`} data-state={last?.state ?? "none"}>
        {last ? <StateBadge state={last.state} /> : <span className="muted small">No runs</span>}
      </td>
      <td className="small nowrap" title={dag.nextRunAfter ?? undefined}>
        {dag.nextRunAfter && !dag.paused ? (
          <>
            {fmtShort(dag.nextRunAfter)} <span className="muted">({fmtRelative(dag.nextRunAfter)})</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        {dag.recentRuns.length === 0 ? (
          <span className="muted small">No runs yet</span>
        ) : (
          <ol className="mini-runs" aria-label={`Recent runs of ${dag.dagId}, newest first`}>
            {dag.recentRuns.map((r) => {
              const label = `${r.runId}: ${stateLabel(r.state)}${r.logicalDate ? ` (${fmtShort(r.logicalDate)})` : ""}`;
              return (
                <li key={r.runId}>
                  <Link
                    to={`/dags/${encodeURIComponent(dag.dagId)}/runs?run=${encodeURIComponent(r.runId)}`}
                    className="mini-run"
                    style={stateVars(r.state)}
                    title={label}
                    aria-label={label}
                    data-state={r.state}
                  >
                    <StateGlyph state={r.state} size={9} />
                  </Link>
                </li>
              );
            })}
          </ol>
        )}
      </td>
    </tr>
  );
});
