/** A fixed order of strings (UTF-16 code units): every writer locks rows in the same order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Columns bound per row of a multi-row insert. */
export function columnCount(row: object): number {
  return Object.keys(row).length;
}
