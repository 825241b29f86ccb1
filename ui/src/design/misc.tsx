/** Small building blocks: tabs, switch, skeleton, empty and error states, tooltip wrapper. */
import { useRef, type KeyboardEvent, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { Icon } from "./icons";

export interface TabDef<T extends string> {
  id: T;
  label: ReactNode;
  hint?: string;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump. */
export function Tabs<T extends string>({ tabs, value, onChange, label }: { tabs: TabDef<T>[]; value: T; onChange: (t: T) => void; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === value);
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    if (j < 0) return;
    e.preventDefault();
    const t = tabs[j]!;
    onChange(t.id);
    ref.current?.querySelector<HTMLElement>(`[data-tab="${t.id}"]`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} ref={ref} onKeyDown={onKey}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          className="tab"
          id={`tab-${t.id}`}
          data-tab={t.id}
          data-testid={`tab-${t.id}`}
          aria-selected={t.id === value}
          aria-controls={`tabpanel-${t.id}`}
          tabIndex={t.id === value ? 0 : -1}
          onClick={() => onChange(t.id)}
          title={t.hint}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function Switch({
  checked,
  onChange,
  label,
  disabled,
  testId,
  title,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
  disabled?: boolean;
  testId?: string;
  title?: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      className="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      data-testid={testId}
      title={title ?? label}
    >
      <span className="switch-track">
        <span className="switch-thumb" />
      </span>
    </button>
  );
}

export function Skeleton({ width = "100%", height = 14, style }: { width?: number | string; height?: number | string; style?: React.CSSProperties }) {
  return <span className="skeleton" style={{ display: "block", width, height, ...style }} aria-hidden="true" />;
}

export function SkeletonRows({ rows = 6, height = 36 }: { rows?: number; height?: number }) {
  return (
    <div className="stack" style={{ gap: 8, padding: 16 }} role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} width={`${100 - (i % 3) * 8}%`} />
      ))}
    </div>
  );
}

export function EmptyState({ icon, title, children, action }: { icon?: ReactNode; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon">{icon ?? <Icon.dag size={22} />}</div>
      <h3>{title}</h3>
      {children && (
        <div className="stack" style={{ alignItems: "center", gap: 8 }}>
          {children}
        </div>
      )}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = "Something went wrong" }: { error: unknown; onRetry?: () => void; title?: string }) {
  const msg = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError ? error.status : 0;
  const heading = status === 404 ? "Not found" : status === 403 ? "You do not have access" : title;
  return (
    <div className="empty" role="alert">
      <div className="empty-icon" style={{ background: "var(--danger-soft)", color: "var(--danger-fg)" }}>
        <Icon.warn size={22} />
      </div>
      <h3>{heading}</h3>
      <p className="small">{msg}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Wraps a (possibly disabled) control so it still shows a tooltip saying why. */
export function Tip({ text, children }: { text?: string | null; children: ReactNode }) {
  return (
    <span className="tip" data-tip={text ?? undefined}>
      {children}
    </span>
  );
}
