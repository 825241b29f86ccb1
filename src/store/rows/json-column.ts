import { BatonError } from "../../core/errors.js";

/** Decodes a JSON text column, naming the table, column and key when the text is corrupt. */
export function parseJsonColumn<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new BatonError(`Corrupt JSON in ${where}: ${(e as Error).message}`, { cause: e });
  }
}

export function toBool(value: number): boolean {
  return value !== 0;
}

export function fromBool(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}
