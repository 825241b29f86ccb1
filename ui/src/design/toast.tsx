/** Toasts in a polite live region; `useToast()(message, "success" | "error" | "info")`. */
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { Icon } from "./icons";

type Kind = "success" | "error" | "info";
interface Toast {
  id: number;
  message: ReactNode;
  kind: Kind;
}

const ToastContext = createContext<((message: ReactNode, kind?: Kind) => void) | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (message: ReactNode, kind: Kind = "info") => {
      const id = nextId++;
      setToasts((t) => [...t.slice(-4), { id, message, kind }]);
      setTimeout(() => dismiss(id), kind === "error" ? 8000 : 4500);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className="toast" data-kind={t.kind} data-testid={`toast-${t.kind}`}>
            <span style={{ color: t.kind === "error" ? "var(--danger)" : t.kind === "success" ? "var(--st-success)" : "var(--accent)", marginTop: 2 }}>
              {t.kind === "error" ? <Icon.warn /> : t.kind === "success" ? <Icon.check /> : <Icon.bolt />}
            </span>
            <div className="toast-body">{t.message}</div>
            <button type="button" className="btn btn-ghost btn-sm btn-icon" onClick={() => dismiss(t.id)} aria-label="Dismiss notification">
              <Icon.close size={12} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  const t = useContext(ToastContext);
  if (!t) throw new Error("useToast outside ToastProvider");
  return t;
}
