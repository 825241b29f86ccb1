/** `const confirm = useConfirm(); if (await confirm({...})) …` — a promise-based confirm dialog. */
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from "react";
import { Dialog } from "./dialog";

export interface ConfirmOptions {
  title: string;
  body: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
}

const ConfirmContext = createContext<((o: ConfirmOptions) => Promise<boolean>) | null>(null);

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [opts, setOpts] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const okRef = useRef<HTMLButtonElement>(null);

  const confirm = useCallback((o: ConfirmOptions) => {
    resolver.current?.(false);
    setOpts(o);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);
  const done = (ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setOpts(null);
  };

  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      {opts && (
        <Dialog
          title={opts.title}
          role="alertdialog"
          onClose={() => done(false)}
          initialFocus={okRef}
          testId="confirm-dialog"
          footer={
            <>
              <button type="button" className="btn" onClick={() => done(false)} data-testid="confirm-cancel">
                Cancel
              </button>
              <button
                ref={okRef}
                type="button"
                className={`btn ${opts.danger ? "btn-danger" : "btn-primary"}`}
                onClick={() => done(true)}
                data-testid="confirm-ok"
              >
                {opts.confirmLabel ?? "Confirm"}
              </button>
            </>
          }
        >
          <div className="small" style={{ color: "var(--text-2)" }}>
            {opts.body}
          </div>
        </Dialog>
      )}
    </ConfirmContext.Provider>
  );
}

export function useConfirm() {
  const c = useContext(ConfirmContext);
  if (!c) throw new Error("useConfirm outside ConfirmProvider");
  return c;
}
