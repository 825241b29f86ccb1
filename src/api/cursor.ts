import { InvalidInputError } from "../core/errors.js";

/** Opaque page cursors: base64url of the last run id of the page. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(String(lastId), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new InvalidInputError("cursor: is not a cursor this API returned; pass nextCursor back unchanged");
  return id;
}
