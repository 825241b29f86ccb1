/** Splits `items` into consecutive slices of at most `size` (size ≥ 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/** Rows per multi-row statement so that rows × columns stays within the parameter limit. */
export function rowsPerStatement(maxParameters: number, columnsPerRow: number): number {
  return Math.max(1, Math.floor(maxParameters / columnsPerRow));
}
