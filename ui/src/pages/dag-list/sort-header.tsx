/** A sortable column header: a button inside the `th`, which carries `aria-sort`. */
import type { ListView, SortKey } from "./dag-sort";

export function SortHeader({
  label,
  sortKey,
  view,
  onSort,
  width,
}: {
  label: string;
  sortKey: SortKey;
  view: ListView;
  onSort: (key: SortKey) => void;
  width?: number;
}) {
  const active = view.sort === sortKey;
  return (
    <th scope="col" aria-sort={active ? (view.order === "asc" ? "ascending" : "descending") : "none"} style={width ? { width } : undefined}>
      <button type="button" className="sort-head" onClick={() => onSort(sortKey)} data-testid={`sort-${sortKey}`} data-active={active || undefined}>
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (view.order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}
