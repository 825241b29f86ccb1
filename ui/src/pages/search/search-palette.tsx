/**
 * The search palette (⌘K / Ctrl+K; docs/ui.md#search-and-navigation): one text box over DAGs, runs, tasks and
 * datasets, hits grouped by kind. A WAI-ARIA combobox: focus stays in the box, ↑/↓ move the
 * active option (aria-activedescendant), Enter opens it, Esc closes and focus returns.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { useSearch, type SearchResults } from "../../api/search";
import { Icon } from "../../design/icons";
import { StateGlyph, stateLabel, stateVars } from "../../design/state";
import { fmtShort } from "../../lib/format";
import { navigate } from "../../router";
import { dagHref, datasetHref, runHref, taskHref } from "./search-links";
import "./search.css";

type Kind = "dag" | "run" | "task" | "dataset";

interface Item {
  kind: Kind;
  key: string;
  href: string;
  label: string;
  detail: ReactNode;
  state?: string;
}

const GROUPS: { kind: Kind; title: string }[] = [
  { kind: "dag", title: "DAGs" },
  { kind: "run", title: "Runs" },
  { kind: "task", title: "Tasks" },
  { kind: "dataset", title: "Datasets" },
];

function toItems(r: SearchResults): Item[] {
  return [
    ...r.dags.map((d): Item => ({
      kind: "dag",
      key: d.dagId,
      href: dagHref(d),
      label: d.dagId,
      detail:
        d.matched === "id"
          ? (d.description ?? d.owner ?? "")
          : d.matched === "tag"
            ? `tags: ${d.tags.join(", ")}`
            : d.matched === "owner"
              ? `owner: ${d.owner ?? ""}`
              : (d.description ?? ""),
      ...(d.latestRun ? { state: d.latestRun.state } : {}),
    })),
    ...r.runs.map((x): Item => ({
      kind: "run",
      key: `${x.dagId}\u0000${x.runId}`,
      href: runHref(x),
      label: x.runId,
      detail: (
        <>
          {x.dagId} · {x.runType}
          {x.logicalDate ? ` · ${fmtShort(x.logicalDate)}` : ""}
        </>
      ),
      state: x.state,
    })),
    ...r.tasks.map((t): Item => ({
      kind: "task",
      key: `${t.dagId}\u0000${t.taskId}`,
      href: taskHref(t),
      label: t.taskId,
      detail: (
        <>
          in {t.dagId} · {t.kind}
          {t.latestRunId ? "" : " · no runs yet"}
        </>
      ),
    })),
    ...r.datasets.map((d): Item => ({
      kind: "dataset",
      key: d.uri,
      href: datasetHref(d),
      label: d.uri,
      detail: `${d.eventCount} event${d.eventCount === 1 ? "" : "s"}`,
    })),
  ];
}

export function SearchPalette({ initialText = "", onClose }: { initialText?: string; onClose: () => void }) {
  const [text, setText] = useState(initialText);
  const [debounced, setDebounced] = useState(initialText);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const optionId = (i: number) => `${listId}-opt-${i}`;

  useEffect(() => {
    const t = setTimeout(() => setDebounced(text), 120);
    return () => clearTimeout(t);
  }, [text]);

  const search = useSearch(debounced);
  const blank = text.trim() === "";
  const items = useMemo(() => (search.data && !blank ? toItems(search.data) : []), [search.data, blank]);
  useEffect(() => setActive(0), [search.data]);
  const current = Math.min(active, Math.max(0, items.length - 1));

  // Focus in on open; back to whatever had it (the top bar's button, the page) on close.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    inputRef.current?.focus();
    inputRef.current?.select();
    const prevOverflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = prevOverflow;
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);

  useEffect(() => {
    if (items.length > 0) document.getElementById(optionId(current))?.scrollIntoView({ block: "nearest" });
    // Deliberately partial dependency list (react-hooks/exhaustive-deps).
  }, [current, items.length]);

  const open = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    navigate(item.href);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (items.length) setActive((current + 1) % items.length);
        break;
      case "ArrowUp":
        e.preventDefault();
        if (items.length) setActive((current - 1 + items.length) % items.length);
        break;
      case "PageDown":
      case "PageUp": {
        // To the first option of the next (previous) group.
        e.preventDefault();
        const kinds = GROUPS.map((g) => g.kind).filter((k) => items.some((i) => i.kind === k));
        const at = kinds.indexOf(items[current]?.kind ?? "dag");
        const next = kinds[Math.min(kinds.length - 1, Math.max(0, at + (e.key === "PageDown" ? 1 : -1)))];
        const idx = items.findIndex((i) => i.kind === next);
        if (idx >= 0) setActive(idx);
        break;
      }
      case "Enter":
        e.preventDefault();
        open(items[current]);
        break;
      case "Escape":
        e.preventDefault();
        e.stopPropagation();
        onClose();
        break;
      case "Tab":
        // The box is the dialog's only stop; options are reached with the arrows.
        e.preventDefault();
        break;
    }
  };

  const status = blank
    ? "Type to search DAGs, runs, tasks and datasets."
    : search.isError
      ? `Search failed: ${search.error.message}`
      : search.isPending || debounced !== text
        ? "Searching…"
        : items.length === 0
          ? `Nothing matches “${text.trim()}”.`
          : `${items.length} result${items.length === 1 ? "" : "s"}.`;

  let index = -1;
  return createPortal(
    <div className="overlay palette-overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Search" data-testid="search-dialog">
        <div className="palette-head">
          <Icon.search size={16} />
          <input
            ref={inputRef}
            className="palette-input"
            role="combobox"
            aria-expanded={items.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={items.length > 0 ? optionId(current) : undefined}
            aria-label="Search DAGs, runs, tasks and datasets"
            aria-describedby={`${listId}-status`}
            placeholder="Search DAGs, runs, tasks, datasets…"
            spellCheck={false}
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            data-testid="search-input"
          />
          <kbd className="palette-kbd">Esc</kbd>
        </div>
        <div id={listId} role="listbox" aria-label="Search results" className="palette-list" data-testid="search-results">
          {GROUPS.map((g) => {
            const group = items.filter((i) => i.kind === g.kind);
            if (group.length === 0) return null;
            const headingId = `${listId}-${g.kind}`;
            return (
              <div key={g.kind} role="group" aria-labelledby={headingId} className="palette-group" data-testid={`search-group-${g.kind}`}>
                <div id={headingId} className="palette-group-title" role="presentation">
                  {g.title}
                </div>
                {group.map((item) => {
                  index += 1;
                  const i = index;
                  return (
                    <div
                      key={item.key}
                      id={optionId(i)}
                      role="option"
                      aria-selected={i === current}
                      className="palette-option"
                      onMouseMove={() => i !== current && setActive(i)}
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => open(item)}
                      data-testid={`search-option-${item.kind}`}
                      data-href={item.href}
                    >
                      <KindIcon kind={item.kind} />
                      <span className="palette-label mono truncate">{item.label}</span>
                      <span className="palette-detail truncate">{item.detail}</span>
                      {item.state && (
                        <span className="palette-state" style={stateVars(item.state)} title={stateLabel(item.state)}>
                          <StateGlyph state={item.state} size={9} /> <span className="sr-only">{stateLabel(item.state)}</span>
                        </span>
                      )}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
        <div className="palette-foot">
          <span id={`${listId}-status`} role="status" aria-live="polite" data-testid="search-status">
            {status}
          </span>
          <span className="spacer" />
          <span className="palette-hints" aria-hidden="true">
            <kbd>↑</kbd>
            <kbd>↓</kbd> move <kbd>↵</kbd> open <kbd>Esc</kbd> close
          </span>
        </div>
      </div>
    </div>,
    document.body,
  );
}

function KindIcon({ kind }: { kind: Kind }) {
  const icon =
    kind === "dag" ? <Icon.dag size={14} /> : kind === "run" ? <Icon.play size={12} /> : kind === "task" ? <Icon.check size={14} /> : <Icon.file size={14} />;
  return (
    <span className="palette-icon" aria-hidden="true">
      {icon}
    </span>
  );
}
