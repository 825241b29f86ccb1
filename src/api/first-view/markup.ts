/**
 * The pieces of the UI's markup the first view (first-view.ts) is written with: escaping, the
 * state glyphs and labels of ui/src/design/state.tsx and the icons of ui/src/design/icons.tsx, as
 * strings. Kept in step with those files by test/browser/first-view.test.ts, which compares the
 * server's markup with what the UI draws.
 */

/** Text or an attribute value, escaped for HTML. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `name="value"` pairs; undefined, null and false values are left out, true is written as "true". */
export function attrs(a: Record<string, string | number | boolean | null | undefined>): string {
  let out = "";
  for (const [k, v] of Object.entries(a)) if (v !== undefined && v !== null && v !== false) out += ` ${k}="${esc(v === true ? "true" : v)}"`;
  return out;
}

/** ui/src/design/icons.tsx: each icon's inner SVG. */
const ICONS = {
  check: '<path d="M3 8.5 6.5 12 13 4.5"/>',
  cross: '<path d="M4 4l8 8M12 4l-8 8"/>',
  play: '<path d="M5 3.5v9l7-4.5z" fill="currentColor"/>',
  clock: '<circle cx="8" cy="8" r="5.5"/><path d="M8 5v3l2 1.5"/>',
  hourglass: '<path d="M4.5 2.5h7M4.5 13.5h7M5 2.5c0 3 6 4 6 5.5S5 10.5 5 13.5M11 2.5c0 3-6 4-6 5.5s6 2.5 6 5.5"/>',
  retry: '<path d="M13 8a5 5 0 1 1-1.5-3.5M13 2.5v3h-3"/>',
  skip: '<path d="M3 11c1-4 4-6 8-5M9 3.5 11.5 6 9 8.5"/><path d="M3 13.5h10"/>',
  upstreamFailed: '<path d="M8 13V4M4.5 7.5 8 4l3.5 3.5"/><path d="M3 13.5h10"/>',
  minus: '<path d="M4 8h8"/>',
  dot: '<circle cx="8" cy="8" r="1.6" fill="currentColor" stroke="none"/>',
  chevronRight: '<path d="M6 3.5 10.5 8 6 12.5"/>',
  pause: '<path d="M5.5 3.5v9M10.5 3.5v9"/>',
  user: '<circle cx="8" cy="5.5" r="3"/><path d="M2.5 14c.8-2.8 3-4 5.5-4s4.7 1.2 5.5 4"/>',
  dag: '<circle cx="3.5" cy="8" r="2"/><circle cx="12.5" cy="3.5" r="2"/><circle cx="12.5" cy="12.5" r="2"/><path d="M5.3 7.1 10.7 4.4M5.3 8.9l5.4 2.7"/>',
  calendar: '<rect x="2.5" y="3.5" width="11" height="10" rx="1.5"/><path d="M2.5 6.5h11M5.5 2v3M10.5 2v3"/>',
  bolt: '<path d="M9 1.5 3.5 9H8l-1 5.5L12.5 7H8z"/>',
  warn: '<path d="M8 2 1.5 13.5h13z"/><path d="M8 6.5v3M8 11.5v.01"/>',
};
export type IconName = keyof typeof ICONS;

export function icon(name: IconName, size = 16, strokeWidth = 2, className?: string): string {
  return `<svg width="${size}" height="${size}" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="${strokeWidth}" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"${className ? ` class="${className}"` : ""}>${ICONS[name]}</svg>`;
}

export const STATE_LABEL: Record<string, string> = {
  none: "No status",
  scheduled: "Scheduled",
  queued: "Queued",
  running: "Running",
  up_for_retry: "Up for retry",
  up_for_reschedule: "Up for reschedule",
  deferred: "Deferred",
  success: "Success",
  failed: "Failed",
  skipped: "Skipped",
  upstream_failed: "Upstream failed",
  removed: "Removed",
};

/** The legend's order (ui/src/design/state.tsx STATE_ORDER). */
export const STATE_ORDER = [
  "success",
  "failed",
  "running",
  "queued",
  "scheduled",
  "up_for_retry",
  "up_for_reschedule",
  "deferred",
  "skipped",
  "upstream_failed",
  "removed",
  "none",
];

export function stateLabel(state: string | null | undefined): string {
  return STATE_LABEL[state ?? "none"] ?? String(state);
}

/** ui/src/design/state.tsx `StateGlyph`. */
export function stateGlyph(state: string, size = 10): string {
  switch (state) {
    case "success":
      return icon("check", size, 2.4);
    case "failed":
      return icon("cross", size, 2.4);
    case "running":
      return icon("play", size, 1, "running-anim");
    case "queued":
      return icon("hourglass", size, 1.8);
    case "scheduled":
      return icon("clock", size, 2.4);
    case "up_for_retry":
      return icon("retry", size, 2.4);
    case "up_for_reschedule":
      return icon("calendar", size, 1.8);
    case "deferred":
      return icon("pause", size, 2.4);
    case "skipped":
      return icon("skip", size, 2.4);
    case "upstream_failed":
      return icon("upstreamFailed", size, 2.4);
    case "removed":
      return icon("minus", size, 2.4);
    default:
      return icon("dot", size, 2.4);
  }
}

/**
 * ui/src/design/state.tsx `StateBadge`. Its colours come from CSS by data-state
 * (ui/src/design/first-view.css), where React sets them inline: the page's CSP allows no style attribute.
 */
export function stateBadge(state: string, label?: string): string {
  return `<span class="state" data-state="${esc(state)}"><span class="state-icon">${stateGlyph(state)}</span>${esc(label ?? stateLabel(state))}</span>`;
}

/** The glyphs' symbols, once per page: a cell's glyph is a `<use>` of its state's (glyphRef). */
let symbols: string | null = null;
export function glyphSymbols(): string {
  symbols ??= `<svg class="fv-symbols" aria-hidden="true" focusable="false">${STATE_ORDER.filter((s) => s !== "none")
    .map((s) =>
      stateGlyph(s, 16)
        .replace(/^<svg [^>]*>/, `<symbol id="fv-${s}" viewBox="0 0 16 16"><g stroke-width="${GLYPH_STROKE[s] ?? 2.4}">`)
        .replace(/<\/svg>$/, "</g></symbol>"),
    )
    .join("")}</svg>`;
  return symbols;
}

const GLYPH_STROKE: Record<string, number> = { running: 1, queued: 1.8, up_for_reschedule: 1.8 };

/** A cell's 10 px glyph: the state's symbol, drawn with the stroke set in first-view.css (`.fv-g`). */
export function glyphRef(state: string): string {
  return `<svg class="fv-g${state === "running" ? " running-anim" : ""}" width="10" height="10" aria-hidden="true"><use href="#fv-${STATE_LABEL[state] ? state : "none"}"/></svg>`;
}
