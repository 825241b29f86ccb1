/**
 * The first view of a DAG's grid page (`/dags/<id>` and `/dags/<id>/grid`): the markup of
 * ui/src/pages/dag-page.tsx and ui/src/pages/dag/grid-tab.tsx for their first render, from the
 * same API answers, laid out by CSS (ui/src/design/first-view.css) instead of inline styles. The
 * view is inert (first-view.ts): its buttons take no click or focus until the UI replaces the
 * whole view with its own render (docs/ui.md, "First view").
 */
import type { Formats } from "./formats.js";
import { attrs, esc, glyphRef, glyphSymbols, icon, STATE_ORDER, stateBadge, stateGlyph, stateLabel } from "./markup.js";

interface GridTask {
  taskId: string;
  kind: string;
  upstream: string[];
}
interface GridRun {
  runId: string;
  runType: string;
  state: string;
  logicalDate: string | null;
  startedAt: string | null;
  endedAt: string | null;
  note?: string | null;
  tasks: ({ state: string; tryNumber: number } | null)[];
}
interface Grid {
  tasks: GridTask[];
  runs: GridRun[];
  nextCursor: string | null;
}
interface DagDetail {
  dagId: string;
  description: string | null;
  owner: string | null;
  tags: string[];
  schedule: string | null;
  timezone: string | null;
  paused: boolean;
  taskCount: number;
  nextRunAfter: string | null;
  triggers?: { id: string; description: string }[];
  importError?: unknown;
}

/** The grid-tab.tsx constants the layout is drawn with. */
const BAR_MAX = 44;
/** Rows written: enough for a window 1,180 px tall; the UI's own render draws the rest. */
const MAX_ROWS = 24;

/**
 * The page's `<main>` content, or null when the first view would not draw what the UI draws
 * first: a selection in the URL (the side panel), a DAG whose file does not load, task groups
 * (the grid's collapsed rows), an empty grid (the UI's empty states), or answers missing.
 */
export function dagGridView(detail: unknown, grid: unknown, role: string, f: Formats, now: number): string | null {
  const d = detail as DagDetail | undefined;
  const g = grid as Grid | undefined;
  if (!d || !g || !Array.isArray(g.runs) || !Array.isArray(g.tasks)) return null;
  if (d.importError || hasGroups(g.tasks) || g.tasks.length === 0 || g.runs.length === 0) return null;
  return (
    head(d, role, f, now) +
    tabs() +
    `<section role="tabpanel" id="tabpanel-grid" aria-labelledby="tab-grid" class="tabpanel">${gridCard(d.dagId, g, f, now)}</section>`
  );
}

/** Each role's rank (ui/src/lib/auth.tsx): the page's buttons are disabled as the UI disables them. */
const RANK: Record<string, number> = { viewer: 0, user: 1, op: 2, admin: 3 };

function head(d: DagDetail, role: string, f: Formats, now: number): string {
  const rank = RANK[role] ?? 0;
  const off = (disabled: boolean) => (disabled ? " disabled" : "");
  const triggers = d.triggers ?? [];
  const meta = [
    `<span title="Schedule">${icon("calendar", 14)} <code>${esc(d.schedule ?? "manual only")}</code>${d.timezone && d.timezone !== "UTC" ? `<span class="muted"> (${esc(d.timezone)})</span>` : ""}</span>`,
    triggers.length > 0
      ? `<span${attrs({ title: triggers.map((t) => `${t.id}: ${t.description}`).join("\n"), "data-testid": "dag-triggers" })}>${icon("bolt", 14)} ${esc(triggers.length === 1 ? triggers[0]!.description : `${triggers.length} event triggers`)}</span>`
      : "",
    d.nextRunAfter && !d.paused ? `<span class="muted">Next run ${esc(f.short(d.nextRunAfter))} (${esc(f.relative(d.nextRunAfter, now))})</span>` : "",
    `<span title="Owner">${icon("user", 14)} ${esc(d.owner ?? "no owner")}</span>`,
    `<span class="muted">${d.taskCount} task${d.taskCount === 1 ? "" : "s"}</span>`,
    ...d.tags.map((t) => `<a href="/dags?tag=${esc(encodeURIComponent(t))}" class="tag">${esc(t)}</a>`),
  ].join("");
  const paused = d.paused ? `<span class="badge">${icon("pause", 10)} Paused</span>` : "";
  return (
    `<div class="crumbs"><a href="/dags">DAGs</a>${icon("chevronRight", 12)}<span>${esc(d.dagId)}</span></div>` +
    `<div class="page-head dag-head"><div class="stack fv-dag-title">` +
    `<h1 data-testid="dag-title">${esc(d.dagId)}${paused}</h1>` +
    (d.description ? `<p class="muted">${esc(d.description)}</p>` : "") +
    `<div class="row-wrap meta">${meta}</div></div><span class="spacer"></span><div class="row">` +
    `<span class="tip"><label class="row small fv-pause"><button type="button" role="switch" class="switch"${attrs({ "aria-checked": String(!d.paused), "aria-label": d.paused ? "Unpause DAG" : "Pause DAG", title: d.paused ? "Unpause DAG" : "Pause DAG" })}${off(rank < 1)}><span class="switch-track"><span class="switch-thumb"></span></span></button>${d.paused ? "Paused" : "Active"}</label></span>` +
    `<span class="tip"><button type="button" class="btn"${off(rank < 2 || !d.schedule)} title="Run the DAG over a past range">${icon("calendar", 12)} Backfill</button></span>` +
    `<span class="tip"><button type="button" class="btn btn-primary"${off(rank < 1)} title="Trigger a run (t)">${icon("play", 12)} Trigger</button></span>` +
    `</div></div>`
  );
}

const TABS = [
  ["grid", "Grid", "Shortcut: 1"],
  ["graph", "Graph", "Shortcut: 2"],
  ["gantt", "Gantt", "Shortcut: 3"],
  ["runs", "Runs", "Shortcut: 4"],
  ["code", "Code", "Shortcut: 5"],
  ["trends", "Trends", "Shortcut: 6"],
] as const;

function tabs(): string {
  return `<div class="tabs" role="tablist" aria-label="DAG views">${TABS.map(
    ([id, label, hint]) =>
      `<button type="button" role="tab" class="tab" id="tab-${id}" data-tab="${id}" aria-selected="${id === "grid"}" aria-controls="tabpanel-${id}" tabindex="-1" title="${hint}">${label}</button>`,
  ).join("")}</div>`;
}

function gridCard(dagId: string, g: Grid, f: Formats, now: number): string {
  const runs = g.runs;
  const tasks = g.tasks;
  const toolbar = `<div class="card-head toolbar"><span class="small muted">${runs.length} run${runs.length === 1 ? "" : "s"} × ${tasks.length} task${tasks.length === 1 ? "" : "s"} · newest first</span><span class="spacer"></span>${g.nextCursor ? '<button type="button" class="btn btn-sm">Load older runs</button>' : ""}</div>`;
  const legend = `<div class="grid-legend"><div class="row-wrap small" aria-label="State legend">${STATE_ORDER.map((s) => stateBadge(s)).join("")}</div></div>`;
  return `<div class="grid-layout" data-testid="grid-layout"><div class="card grid-card">${toolbar}${matrix(dagId, g, f, now)}${legend}</div></div>`;
}

function matrix(_dagId: string, g: Grid, f: Formats, now: number): string {
  const { runs, tasks } = g;
  const durations = runs.map((r) => durationMs(r, now));
  const maxMs = durations.reduce<number>((m, x) => (x !== null && x > m ? x : m), 0);
  let prevDay: string | null = null;
  const heads = runs.map((run, c) => {
    const at = axisDate(run);
    const date = at.at ? new Date(at.at) : null;
    let day: string | null = null;
    let time = "";
    let full = "no date yet";
    if (date && !Number.isNaN(date.getTime())) {
      const a = f.axis(date);
      day = a.dayKey === prevDay ? null : a.day;
      prevDay = a.dayKey;
      time = day !== null && a.midnight ? "" : a.time;
      full = `${at.kind} ${f.date(at.at)}`;
    } else prevDay = null;
    const ms = durations[c]!;
    const h = ms === null || maxMs <= 0 ? 3 : Math.max(3, Math.round((ms / maxMs) * BAR_MAX));
    const note = run.note ?? null;
    const label = `Run ${run.runId} (${run.runType}): ${stateLabel(run.state)}, ${full}, duration ${f.duration(ms)}${note ? `. Note: ${note}` : ""}`;
    return (
      `<button type="button"${attrs({ class: `run-head run-head-axis${day !== null && c > 0 ? " day-start" : ""}`, role: "columnheader", "aria-label": label, tabindex: -1, "data-r": -1, "data-c": c, "data-state": run.state, "data-testid": `grid-run-${run.runId}` })}>` +
      `<span class="run-note-slot">${note ? `<span class="run-note"${attrs({ "data-testid": `grid-run-note-${run.runId}` })}></span>` : ""}</span>` +
      `<span class="run-track"><svg class="fv-bar" width="14" height="${h}" aria-hidden="true" focusable="false"><rect width="14" height="${h}" rx="2"/></svg></span>` +
      `<span class="state-icon">${stateGlyph(run.state, 9)}</span>` +
      `<span class="run-date"${attrs({ "data-testid": `grid-date-${run.runId}`, "data-at": at.at ?? "" })}>${day !== null ? `<strong class="run-day">${esc(day)}</strong>` : ""}${time ? `<span class="run-time">${esc(time)}</span>` : ""}</span></button>`
    );
  });
  const zone = f.zoneKnown ? "" : ", UTC";
  const corner =
    `<div class="grid-corner grid-corner-axis" role="columnheader"><span class="xs muted fv-corner-bar">Run duration ↑${maxMs > 0 ? ` (longest ${esc(f.duration(maxMs))})` : ""}</span>` +
    `<span class="xs muted">Date (logical; manual runs: start${zone})</span><span class="section-title">Task</span></div>`;
  const shown = tasks.slice(0, MAX_ROWS);
  const names = shown
    .map(
      (t) =>
        `<div class="grid-name"${attrs({ title: `${t.taskId} (${t.kind})${t.upstream.length ? ` ← ${t.upstream.join(", ")}` : ""}` })}><span class="truncate mono">${esc(t.taskId)}</span><span class="kind">${esc(t.kind)}</span></div>`,
    )
    .join("");
  // The bulk of the page (24 × 25 cells): written with the ids escaped once and each state's glyph
  // as a reference to one symbol (glyphSymbols), without the title and the ARIA position
  // attributes the UI's cells have (the view is inert: no tooltip, not in the accessibility tree).
  const runIds = runs.map((run) => esc(run.runId));
  const rows = shown
    .map((t, r) => {
      const taskId = esc(t.taskId);
      let cells = "";
      runs.forEach((run, c) => {
        const cell = run.tasks[r];
        const state = cell?.state ?? "none";
        const tryNumber = cell?.tryNumber ?? 0;
        const label = `${taskId} in ${runIds[c]}: ${esc(stateLabel(state))}${tryNumber > 1 ? `, try ${tryNumber} (retried ${tryNumber - 1}×)` : ""}`;
        cells +=
          `<button type="button" class="cell" aria-label="${label}" data-state="${esc(state)}" data-try="${tryNumber}" data-testid="grid-cell-${runIds[c]}-${taskId}">` +
          (state !== "none" ? glyphRef(state) : "") +
          (tryNumber > 1 ? `<span class="cell-retry" data-testid="grid-retry-${runIds[c]}-${taskId}"></span>` : "") +
          `</button>`;
      });
      return `<div class="fv-row">${cells}</div>`;
    })
    .join("");
  return (
    `<div class="grid-scroll fv-grid" role="grid" aria-label="Task instances: tasks as rows, runs as columns, newest run first" aria-rowcount="${tasks.length + 1}" aria-colcount="${runs.length + 1}">` +
    `<div class="fv-grid-inner"><div class="grid-head" role="row" aria-rowindex="1">${corner}<div class="fv-heads">${heads.join("")}</div></div>` +
    `<div class="fv-body"><div class="grid-names" aria-hidden="true">${names}</div><div class="fv-rows">${rows}</div></div></div>${glyphSymbols()}</div>`
  );
}

/** grid-axis.ts `runAxisDate`. */
function axisDate(r: GridRun): { at: string | null; kind: string } {
  if (r.runType === "manual" && r.startedAt) return { at: r.startedAt, kind: "started" };
  if (r.logicalDate) return { at: r.logicalDate, kind: "logical date" };
  return r.startedAt ? { at: r.startedAt, kind: "started" } : { at: null, kind: "" };
}

/** grid-model.ts `runDurationMs`. */
function durationMs(r: GridRun, now: number): number | null {
  if (!r.startedAt) return null;
  return Math.max(0, (r.endedAt ? Date.parse(r.endedAt) : now) - Date.parse(r.startedAt));
}

/** grid-rows.ts `taskGroups`: whether any two task ids share a prefix (before the first `.`, else `_`). */
function hasGroups(tasks: GridTask[]): boolean {
  const seen = new Set<string>();
  for (const t of tasks) {
    const dot = t.taskId.indexOf(".");
    const us = t.taskId.indexOf("_");
    const p = dot > 0 ? t.taskId.slice(0, dot) : us > 0 ? t.taskId.slice(0, us) : null;
    if (p === null) continue;
    if (seen.has(p)) return true;
    seen.add(p);
  }
  return false;
}
