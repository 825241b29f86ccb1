/**
 * The first view of the home page (`/`): the markup of ui/src/pages/home-page.tsx for its first
 * render, from the same `/overview` answer (docs/ui.md, "First view"). Its links are plain links
 * until the UI replaces the view with its own render.
 */
import type { Formats } from "./formats.js";
import { attrs, esc, icon, stateBadge } from "./markup.js";

type Level = "ok" | "warning" | "critical" | "inactive";
interface Component {
  kind: "scheduler" | "api" | "triggerer" | "dag-processor" | "worker" | "store" | "disk";
  id: string;
  name: string;
  state: string;
  level: Level;
  version: string | null;
  lastHeartbeat: string | null;
  detail: string | null;
  load: { dags: number; queuedRuns: number; runningRuns: number } | null;
  running: number | null;
  concurrency: number | null;
}
interface RunItem {
  dagId: string;
  runId: string;
  state: string;
  startedAt: string | null;
  endedAt: string | null;
}
interface Overview {
  generatedAt: string;
  level: "ok" | "warning" | "critical";
  components: Component[];
  runs: { queued: number | null; running: number | null; failed: number | null; recentFailed: RunItem[]; recentRunning: RunItem[] };
  missedDeadlines: {
    count: number;
    more: boolean;
    items: { id: string | number; dagId: string; runId: string; taskId: string | null; description: string }[];
  } | null;
  anomalies: { count: number; items: { id: string | number; dagId: string; taskId: string | null; metric: string; value: number; median: number }[] } | null;
  importErrors: { count: number; items: { file: string; line: number | null; message: string }[] };
  pools: { name: string; slots: number; queuedSlots: number; runningSlots: number; full: boolean }[];
  queues: { queue: string; queued: number; running: number; workers: number }[] | null;
  taskInstances: { queued: number | null; running: number | null };
}

const LEVEL_AS: Record<Level, string> = { ok: "success", warning: "up_for_retry", critical: "failed", inactive: "removed" };
const KIND_LABEL: Record<Component["kind"], string> = {
  scheduler: "Scheduler",
  api: "API server",
  triggerer: "Triggerer",
  "dag-processor": "DAG processor",
  worker: "Worker",
  store: "Store",
  disk: "Disk",
};
const HEADLINE: Record<Overview["level"], string> = { ok: "All components are healthy", warning: "Something needs attention", critical: "Something is down" };
const KINDS = ["scheduler", "api", "triggerer", "dag-processor", "store", "disk", "worker"];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const runHref = (dagId: string, runId: string) => `/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}`;
const link = (href: string, cls: string, body: string, extra: Record<string, string | undefined> = {}) =>
  `<a${attrs({ href, class: cls, ...extra })}>${body}</a>`;

/** The page's `<main>` content, or null when the answer is missing. */
export function homeView(overview: unknown, f: Formats): string | null {
  const o = overview as Overview | undefined;
  if (!o || !Array.isArray(o.components) || !o.runs) return null;
  const now = Date.parse(o.generatedAt);
  const sorted = [...o.components].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  const status =
    `<div class="home-status home-status-${esc(o.level)}" role="status" data-testid="home-status" data-level="${esc(o.level)}">` +
    `${stateBadge(LEVEL_AS[o.level], o.level === "ok" ? "OK" : cap(o.level))}<h1>${esc(HEADLINE[o.level])}</h1><span class="spacer"></span>` +
    `<span class="muted small"${attrs({ title: f.date(o.generatedAt) })}>updated ${esc(f.relative(o.generatedAt, Date.now()))}</span></div>`;
  const components =
    `<section class="card" aria-labelledby="home-components"><div class="card-head"><h2 class="section-title" id="home-components">Components</h2></div>` +
    `<ul class="home-components">${sorted.map((c) => tile(c, now, f)).join("")}</ul>` +
    (!o.components.some((c) => c.kind === "worker") && o.queues !== null
      ? `<p class="muted small home-note">No remote workers: tasks run in the schedulers' local pools. ${link("/workers", "link", "Workers")}</p>`
      : "") +
    `</section>`;
  const deadlines = o.missedDeadlines;
  const anomalies = o.anomalies;
  const cards = [
    runsCard(o.runs, f),
    listCard(
      "Missed deadlines",
      "home-deadlines",
      "/deadlines",
      "last 24 hours",
      deadlines?.count ?? null,
      deadlines?.more ?? false,
      "No deadline missed",
      (deadlines?.items ?? []).map((m) =>
        link(
          runHref(m.dagId, m.runId),
          "link",
          `<span class="mono">${esc(m.dagId)}${m.taskId ? `.${esc(m.taskId)}` : ""}</span> <span class="muted small">${esc(m.runId)} · ${esc(m.description)}</span>`,
          { "data-testid": `home-deadline-${m.dagId}-${m.runId}` },
        ),
      ),
    ),
    listCard(
      "Anomalies",
      "home-anomalies",
      "/anomalies",
      "last 24 hours",
      anomalies?.count ?? null,
      false,
      "No anomaly",
      (anomalies?.items ?? []).map((a) =>
        link(
          `/anomalies?dag=${encodeURIComponent(a.dagId)}`,
          "link",
          `<span class="mono">${esc(a.dagId)}${a.taskId ? `.${esc(a.taskId)}` : ""}</span> <span class="muted small">${esc(a.metric)} ${fmtNumber(a.value)} (usually ${fmtNumber(a.median)})</span>`,
          { "data-testid": `home-anomaly-${a.id}` },
        ),
      ),
    ),
    listCard(
      "Import errors",
      "home-import-errors",
      "/import-errors",
      undefined,
      o.importErrors.count,
      false,
      "Every DAG file loads",
      o.importErrors.items.map((e) =>
        link(
          "/import-errors",
          "link",
          `<span class="mono">${esc(e.file.split("/").pop() ?? e.file)}${e.line ? `:${e.line}` : ""}</span> <span class="muted small home-clip">${esc(e.message)}</span>`,
          { title: e.message },
        ),
      ),
    ),
    listCard(
      "Pools near full",
      "home-pools",
      "/pools",
      "80 % or more taken",
      o.pools.length,
      false,
      "Every pool has room",
      o.pools.map((p) =>
        link(
          "/pools",
          "link",
          `<span class="mono">${esc(p.name)}</span> <span class="muted small">${p.queuedSlots + p.runningSlots}/${p.slots} slots${p.full ? " · full" : ""}</span>`,
          { "data-testid": `home-pool-${p.name}` },
        ),
      ),
    ),
    queuesCard(o),
  ];
  return `<div class="home" data-testid="home-page">${status}${components}<div class="home-grid">${cards.join("")}</div></div>`;
}

function tile(c: Component, now: number, f: Formats): string {
  const spa =
    c.kind === "worker"
      ? "/workers"
      : c.kind === "dag-processor"
        ? "/import-errors"
        : c.kind === "scheduler" || c.kind === "triggerer"
          ? "/dags"
          : "/api/v1/health";
  const beat = c.lastHeartbeat ? Math.max(0, now - Date.parse(c.lastHeartbeat)) : null;
  const facts = [
    c.version ? `<span>v${esc(c.version)}</span>` : "",
    beat !== null
      ? `<span${attrs({ title: `last heartbeat ${f.date(c.lastHeartbeat)}` })}>beat ${esc(beat < 1000 ? "just now" : `${f.duration(beat)} ago`)}</span>`
      : "",
    c.load ? `<span data-testid="component-load">${c.load.dags} DAG(s) · ${c.load.runningRuns} running · ${c.load.queuedRuns} queued</span>` : "",
    c.concurrency !== null ? `<span>${c.running ?? 0}/${c.concurrency} busy</span>` : "",
  ].join("");
  const body =
    `<div class="row home-tile-head"><span class="home-kind muted small">${KIND_LABEL[c.kind]}</span><span class="spacer"></span>${stateBadge(LEVEL_AS[c.level], cap(c.state))}</div>` +
    `<div class="mono home-tile-name"${attrs({ title: c.id })}>${esc(c.name)}</div><div class="muted small home-tile-facts">${facts}</div>` +
    (c.detail ? `<div class="muted small home-clip"${attrs({ title: c.detail })}>${esc(c.detail)}</div>` : "");
  return `<li><a${attrs({ href: spa, class: "home-tile", "data-testid": `component-${c.kind}-${c.name}`, "data-state": c.state, "data-level": c.level, "aria-label": `${KIND_LABEL[c.kind]} ${c.name}: ${c.state}` })}>${body}</a></li>`;
}

function count(n: number | null, label: string, testId: string, level?: Level): string {
  return `<div class="home-count"${attrs({ "data-level": level, "data-testid": testId })}><span class="home-count-n num">${n ?? "—"}</span><span class="muted small">${esc(label)}</span></div>`;
}

function runsCard(runs: Overview["runs"], f: Formats): string {
  const list = (label: string, items: RunItem[]) =>
    items.length === 0
      ? ""
      : `<div><div class="muted small">${label}</div><ul class="home-list">${items
          .map(
            (r) =>
              `<li>${link(runHref(r.dagId, r.runId), "link", `${stateBadge(r.state)} <span class="mono">${esc(r.dagId)}</span> <span class="muted small">${esc(r.runId)}</span>`, { "data-testid": `home-run-${r.dagId}-${r.runId}` })}<span class="muted small"> ${esc(f.relative(r.endedAt ?? r.startedAt, Date.now()))}</span></li>`,
          )
          .join("")}</ul></div>`;
  return (
    `<section class="card home-card" data-testid="home-runs" aria-labelledby="home-runs-title"><div class="card-head"><h2 class="section-title" id="home-runs-title">Runs</h2><span class="spacer"></span>${link("/dags", "link small", "All DAGs")}</div>` +
    `<div class="card-body stack"><div class="row home-counts">${count(runs.failed, "failed (24 h)", "home-failed-count", (runs.failed ?? 0) > 0 ? "critical" : "ok")}${count(runs.running, "running", "home-running-count")}${count(runs.queued, "queued", "home-queued-count")}</div>` +
    `${list("Failed", runs.recentFailed)}${list("Running", runs.recentRunning)}</div></section>`
  );
}

function listCard(
  title: string,
  testId: string,
  to: string,
  hint: string | undefined,
  n: number | null,
  more: boolean,
  empty: string,
  items: string[],
): string {
  const body =
    n === null
      ? `<p class="muted small">Not available on this server.</p>`
      : items.length === 0
        ? `<p class="muted small home-ok">${icon("check", 12)} ${esc(empty)}</p>`
        : `<ul class="home-list">${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
  return (
    `<section class="card home-card"${attrs({ "data-testid": testId, "aria-label": title })}><div class="card-head"><h2 class="section-title">${esc(title)}</h2>` +
    (n !== null && n > 0 ? `<span class="badge badge-warn"${attrs({ "data-testid": `${testId}-count` })}>${n}${more ? "+" : ""}</span>` : "") +
    `<span class="spacer"></span>${hint ? `<span class="muted small">${esc(hint)}</span>` : ""}${link(to, "link small", "Open")}</div><div class="card-body">${body}</div></section>`
  );
}

function queuesCard(o: Overview): string {
  const queues = o.queues ?? [];
  const table =
    queues.length === 0
      ? ""
      : `<table class="table home-queues"><thead><tr><th scope="col">Remote queue</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Running</th><th scope="col" class="num">Workers</th></tr></thead><tbody>${queues
          .map(
            (q) =>
              `<tr${attrs({ "data-testid": `home-queue-${q.queue}` })}><td>${link("/workers", "link mono small", esc(q.queue))}${q.queued > 0 && q.workers === 0 ? `<span class="badge badge-warn">${icon("warn", 11)} No worker</span>` : ""}</td><td class="num">${q.queued}</td><td class="num">${q.running}</td><td class="num">${q.workers}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  return (
    `<section class="card home-card" data-testid="home-queues" aria-label="Queued work"><div class="card-head"><h2 class="section-title">Queued work</h2><span class="spacer"></span>${link("/workers", "link small", "Workers")}</div>` +
    `<div class="card-body stack"><div class="row home-counts">${count(o.taskInstances.queued, "tasks queued", "home-ti-queued")}${count(o.taskInstances.running, "tasks running", "home-ti-running")}</div>${table}</div></section>`
  );
}

function fmtNumber(v: number): string {
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
}
