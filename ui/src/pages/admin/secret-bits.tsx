/** Small pieces shared by the connections and variables panels. */
import type { ReactNode } from "react";
import { Icon } from "../../design/icons";
import { Tip } from "../../design/misc";
import { fmtDate, fmtRelative } from "../../lib/format";

/** How a secret that is set but never shown appears. */
export const MASKED = "•••";

/** Why an entry cannot be changed here (it comes from the environment), or null. */
export function envReadOnly(readOnly: boolean, envVar: string): string | null {
  return readOnly ? `Defined by the environment variable ${envVar} on the server; change it there` : null;
}

export function SourceBadge({ source, envVar }: { source: "store" | "env"; envVar: string }) {
  return source === "env" ? (
    <span className="badge" title={`From the environment variable ${envVar} (overrides the store; read-only here)`} data-testid="source-env">
      env · {envVar}
    </span>
  ) : (
    <span className="badge" title={`Stored encrypted; ${envVar} in the environment would override it`}>
      store
    </span>
  );
}

/** The "updated" cell of a row. */
export function UpdatedCell({ at }: { at: string | null }) {
  return (
    <td className="nowrap small" title={fmtDate(at)}>
      {at ? fmtRelative(at) : "—"}
    </td>
  );
}

/**
 * The actions cell of a row: `extra` first, then Edit and Delete, disabled with the reason as a
 * tip when the entry cannot be changed here (`locked`).
 */
export function RowActions({
  what,
  id,
  locked,
  onEdit,
  onDelete,
  extra,
}: {
  what: "connection" | "variable";
  id: string;
  locked: string | null | undefined;
  onEdit: () => void;
  onDelete: () => void;
  extra?: ReactNode;
}) {
  return (
    <td>
      <div className="row" style={{ justifyContent: "flex-end", gap: 6 }}>
        {extra}
        <Tip text={locked ?? null}>
          <button type="button" className="btn btn-sm" onClick={onEdit} disabled={Boolean(locked)} data-testid={`${what}-edit-${id}`}>
            Edit
          </button>
        </Tip>
        <Tip text={locked ?? null}>
          <button
            type="button"
            className="btn btn-sm btn-danger-outline"
            onClick={onDelete}
            disabled={Boolean(locked)}
            data-testid={`${what}-delete-${id}`}
            aria-label={`Delete ${what} ${id}`}
          >
            <Icon.close size={12} />
          </button>
        </Tip>
      </div>
    </td>
  );
}
