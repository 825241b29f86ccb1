/**
 * The log of one try in the task panel: a pane that fills the panel or goes full screen (a fixed
 * overlay; Esc leaves it), with search (matches highlighted, count, next/previous), a level
 * filter, download of the whole log, and a link per line (`#L42` in the URL scrolls to and marks
 * that line). A running attempt's log is followed live and stays scrolled to the end unless
 * the reader scrolls up.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { fetchTaskLog, useTaskLog } from "../../api/log-stream";
import { useToast } from "../../design/toast";
import { navigate, useRouter } from "../../router";
import { LEVELS, findMatches, logFileName, parseLogLines, type LineLevel, type LogLine } from "./log-lines";
import "./log-pane.css";

interface Props {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tries: number[];
  chosen: number | null;
  follow: boolean;
  onTry: (t: number) => void;
}

const LEVEL_LABEL: Record<LineLevel, string> = { DEBUG: "Debug", INFO: "Info", WARN: "Warn", ERROR: "Error", OUTPUT: "Output" };

export function LogPane({ dagId, runId, taskId, mapIndex, tries, chosen, follow, onTry }: Props) {
  const log = useTaskLog(dagId, runId, taskId, chosen, follow, mapIndex);
  const lines = useParsedLines(log.text);
  const toast = useToast();
  const [hidden, setHidden] = useState<ReadonlySet<LineLevel>>(() => new Set());
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [jump, setJump] = useState(0);
  const [wrap, setWrap] = useState(false);
  const [full, setFull] = useState(false);
  const [target, linkTo, base] = useLineHash(chosen);
  const body = useRef<HTMLDivElement>(null);
  const fullButton = useRef<HTMLButtonElement>(null);
  const stick = useRef(target === null);
  const scrolledTo = useRef<number | null>(null);

  const counts = useMemo(() => {
    const c: Record<LineLevel, number> = { DEBUG: 0, INFO: 0, WARN: 0, ERROR: 0, OUTPUT: 0 };
    for (const l of lines) c[l.level]++;
    return c;
  }, [lines]);
  const shown = useMemo(() => (hidden.size === 0 ? lines : lines.filter((l) => !hidden.has(l.level))), [lines, hidden]);
  const hits = useMemo(() => {
    const byLine = new Map<number, { first: number; ranges: [number, number][] }>();
    let total = 0;
    if (query !== "") {
      for (const l of shown) {
        const ranges = findMatches(l.text, query);
        if (ranges.length === 0) continue;
        byLine.set(l.n, { first: total, ranges });
        total += ranges.length;
      }
    }
    return { byLine, total };
  }, [shown, query]);
  const current = hits.total === 0 ? -1 : Math.min(active, hits.total - 1);

  const scrollToSelector = useCallback((selector: string) => {
    const el = body.current?.querySelector(selector);
    if (!el) return false;
    stick.current = false;
    el.scrollIntoView({ block: "center" });
    return true;
  }, []);

  // Follow the end of the log while the reader is at the bottom (before paint: no flicker).
  useLayoutEffect(() => {
    const el = body.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown, wrap]);

  // `#L42`: scroll to the line once it is there (it may arrive later while following).
  useEffect(() => {
    if (target === null) {
      scrolledTo.current = null;
      return;
    }
    if (scrolledTo.current !== target && scrollToSelector(`[data-line="${target}"]`)) scrolledTo.current = target;
  }, [target, shown, scrollToSelector]);

  // Next/previous or a new query: bring the current match into view.
  useEffect(() => {
    if (jump > 0 && current >= 0) scrollToSelector(`[data-match="${current}"]`);
  }, [jump, current, scrollToSelector]);

  // Entering or leaving full screen remounts the lines: put the view back where it was.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    fullButton.current?.focus();
    const el = body.current;
    if (!el) return;
    if (stick.current) el.scrollTop = el.scrollHeight;
    else if (current >= 0) scrollToSelector(`[data-match="${current}"]`);
    else if (target !== null) scrollToSelector(`[data-line="${target}"]`);
    // Only on the toggle itself.
    // Deliberately partial dependency list (react-hooks/exhaustive-deps).
  }, [full]);

  // Esc leaves full screen, and only that (the task panel stays open).
  useEffect(() => {
    if (!full) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      e.preventDefault();
      setFull(false);
    };
    window.addEventListener("keydown", onKey, true);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      window.removeEventListener("keydown", onKey, true);
      document.body.style.overflow = overflow;
    };
  }, [full]);

  const step = (delta: number) => {
    if (hits.total === 0) return;
    setActive((current + delta + hits.total) % hits.total);
    setJump((j) => j + 1);
  };
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      step(e.shiftKey ? -1 : 1);
    } else if (e.key === "Escape" && query !== "") {
      e.stopPropagation();
      setQuery("");
    }
  };
  const toggleLevel = (level: LineLevel) =>
    setHidden((h) => {
      const next = new Set(h);
      if (!next.delete(level)) next.add(level);
      return next;
    });
  const download = async () => {
    if (chosen === null) return;
    try {
      const text = await fetchTaskLog(dagId, runId, taskId, chosen, mapIndex);
      const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = logFileName(dagId, runId, taskId, mapIndex, chosen);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      toast(`Could not download the log: ${(e as Error).message}`, "error");
    }
  };

  const message =
    log.status === "loading"
      ? "Loading log…"
      : log.status === "error"
        ? `Could not load the log: ${log.error}`
        : chosen === null
          ? "The task has not run yet, so there is no log."
          : lines.length === 0
            ? log.status === "streaming"
              ? "Waiting for output…"
              : "(empty log)"
            : shown.length === 0
              ? "Every line is hidden by the level filter."
              : null;

  const pane = (
    <section
      className={`log-pane${full ? " log-pane-full" : ""}`}
      data-testid="log-pane"
      data-full={full}
      {...(full ? { role: "dialog", "aria-modal": true, "aria-label": `Log of try ${chosen ?? "—"}, full screen` } : {})}
    >
      <div className="row log-head">
        <h4 className="section-title">
          Logs
          {full && (
            <span className="mono">
              {" "}
              · {taskId} · try {chosen ?? "—"}
            </span>
          )}
        </h4>
        {log.status === "streaming" && (
          <span className="badge live-badge">
            <span className="live-dot" /> following
          </span>
        )}
        <span className="spacer" />
        {tries.length > 1 && (
          <label className="row xs">
            <span className="muted">Try</span>
            <select
              className="select"
              style={{ height: 26, width: "auto" }}
              value={chosen ?? ""}
              onChange={(e) => onTry(Number(e.target.value))}
              data-testid="task-log-try"
            >
              {tries.map((t) => (
                <option key={t} value={t}>
                  #{t}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="checkbox xs">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} /> Wrap
        </label>
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => void download()}
          disabled={chosen === null}
          data-testid="log-download"
          title="Download the whole log of this try"
        >
          <Glyph d="M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13.5h10" /> Download
        </button>
        <button
          ref={fullButton}
          type="button"
          className="btn btn-sm btn-icon"
          onClick={() => setFull((f) => !f)}
          aria-pressed={full}
          aria-label={full ? "Leave full screen (Esc)" : "Full screen"}
          title={full ? "Leave full screen (Esc)" : "Full screen"}
          data-testid="log-fullscreen"
        >
          <Glyph d={full ? "M6 2.5V6H2.5M10 2.5V6h3.5M6 13.5V10H2.5M10 13.5V10h3.5" : "M2.5 6V2.5H6M13.5 6V2.5H10M2.5 10v3.5H6M13.5 10v3.5H10"} />
        </button>
      </div>
      <div className="row log-tools">
        <div className="log-search">
          <input
            className="input"
            type="search"
            placeholder="Search the log"
            aria-label="Search the log"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
              setJump((j) => j + 1);
            }}
            onKeyDown={onSearchKey}
            data-testid="log-search"
          />
          <span className="xs muted nowrap" aria-live="polite" data-testid="log-search-count">
            {query === "" ? "" : hits.total === 0 ? "No matches" : `${current + 1} of ${hits.total}`}
          </span>
          <button
            type="button"
            className="btn btn-sm btn-icon"
            onClick={() => step(-1)}
            disabled={hits.total === 0}
            aria-label="Previous match (Shift+Enter)"
            title="Previous match (Shift+Enter)"
            data-testid="log-search-prev"
          >
            <Glyph d="M4 10 8 6l4 4" />
          </button>
          <button
            type="button"
            className="btn btn-sm btn-icon"
            onClick={() => step(1)}
            disabled={hits.total === 0}
            aria-label="Next match (Enter)"
            title="Next match (Enter)"
            data-testid="log-search-next"
          >
            <Glyph d="M4 6l4 4 4-4" />
          </button>
        </div>
        <div className="btn-group log-levels" role="group" aria-label="Show lines of level">
          {LEVELS.map((lv) => (
            <button
              key={lv}
              type="button"
              className={`btn btn-sm log-level lvl-${lv}`}
              aria-pressed={!hidden.has(lv)}
              onClick={() => toggleLevel(lv)}
              data-testid={`log-level-${lv}`}
              title={
                lv === "OUTPUT" ? "Output: shell stdout (OUT) and stderr (ERR) lines, and console output (no level, no timestamp)" : `${LEVEL_LABEL[lv]} lines`
              }
            >
              {LEVEL_LABEL[lv]} <span className="muted">{counts[lv]}</span>
            </button>
          ))}
        </div>
      </div>
      <div
        ref={body}
        className={`log-body${wrap ? " log-wrap" : ""}`}
        tabIndex={0}
        aria-label={`Log of try ${chosen ?? "—"}`}
        aria-live={follow ? "off" : undefined}
        aria-busy={log.status === "loading"}
        data-testid="task-logs"
        data-status={log.status}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {message !== null ? (
          <div className="log-msg">{message}</div>
        ) : (
          shown.map((l) => {
            const h = hits.byLine.get(l.n);
            return (
              <LineRow
                key={l.n}
                line={l}
                ranges={h?.ranges}
                first={h?.first ?? 0}
                current={h ? current : -1}
                selected={l.n === target}
                base={base}
                onLink={linkTo}
              />
            );
          })
        )}
      </div>
    </section>
  );
  return full ? createPortal(pane, document.body) : pane;
}

const LineRow = memo(function LineRow({
  line,
  ranges,
  first,
  current,
  selected,
  base,
  onLink,
}: {
  line: LogLine;
  ranges: [number, number][] | undefined;
  first: number;
  current: number;
  selected: boolean;
  base: string;
  onLink: (e: MouseEvent, n: number) => void;
}) {
  return (
    <div className={`log-row lvl-${line.level}`} data-line={line.n} data-level={line.level} aria-current={selected ? "true" : undefined}>
      <a className="log-ln" href={`${base}#L${line.n}`} data-n={line.n} aria-label={`Line ${line.n}`} onClick={(e) => onLink(e, line.n)} />
      <span className="log-text">{pieces(line, ranges ?? [], first, current)}</span>
      {"\n"}
    </div>
  );
});

/** The line's text cut where the timestamp, the level and the search matches start and end. */
function pieces(line: LogLine, ranges: [number, number][], first: number, current: number): ReactNode {
  if (ranges.length === 0 && line.prefix === 0) return line.text;
  const tsEnd = line.prefix > 0 && line.ts ? line.ts.length : 0;
  const cuts = new Set([0, line.text.length, tsEnd, line.prefix]);
  for (const [a, b] of ranges) cuts.add(a).add(b);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: ReactNode[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1]!;
    if (a === b) continue;
    const text = line.text.slice(a, b);
    const cls = a < tsEnd ? "log-ts" : a < line.prefix ? "log-lvl" : null;
    let node: ReactNode = cls ? <span className={cls}>{text}</span> : text;
    const m = ranges.findIndex(([x, y]) => a >= x && b <= y);
    if (m >= 0)
      node = (
        <mark className={first + m === current ? "log-hit log-hit-current" : "log-hit"} data-match={first + m}>
          {node}
        </mark>
      );
    out.push(<span key={a}>{node}</span>);
  }
  return out;
}

/**
 * Parses the log into lines, reusing the lines already parsed while a followed log grows
 * (only the last, possibly partial, line and the new text are parsed again).
 */
function useParsedLines(text: string): LogLine[] {
  const prev = useRef<{ text: string; lines: LogLine[] }>({ text: "", lines: [] });
  return useMemo(() => {
    const p = prev.current;
    let lines: LogLine[];
    if (p.text !== "" && text.startsWith(p.text) && p.lines.length > 0) {
      const keep = p.lines.slice(0, -1);
      const from = p.text.lastIndexOf("\n", p.text.length - 2) + 1;
      const rest = parseLogLines(text.slice(from)).map((l) => ({ ...l, n: l.n + keep.length }));
      lines = keep.concat(rest);
    } else {
      lines = parseLogLines(text);
    }
    prev.current = { text, lines };
    return lines;
  }, [text]);
}

/**
 * The line named by the URL's `#L<n>`, a function that links to a line (the URL gets the try too,
 * so the link keeps pointing at this try when more run), and the URL (without hash) lines link to.
 */
function useLineHash(chosen: number | null): [number | null, (e: MouseEvent, n: number) => void, string] {
  const { location } = useRouter();
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => setHash(window.location.hash), [location]);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const base = useMemo(() => {
    const sp = new URLSearchParams(location.search);
    if (chosen !== null) sp.set("try", String(chosen));
    return `${location.pathname}?${sp.toString()}`;
  }, [location, chosen]);
  const linkTo = useCallback(
    (e: MouseEvent, n: number) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(base, { replace: true });
      window.history.replaceState(window.history.state, "", `${base}#L${n}`);
      setHash(`#L${n}`);
    },
    [base],
  );
  const m = /^#L(\d+)$/.exec(hash);
  return [m ? Number(m[1]) : null, linkTo, base];
}

function Glyph({ d }: { d: string }) {
  return (
    <svg
      width={14}
      height={14}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={d} />
    </svg>
  );
}
