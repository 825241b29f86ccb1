import { InvalidInputError } from "../core/errors.js";
import { parseIsoDate } from "../core/model/iso-date.js";

/**
 * Parses a request's date field with the one date parser (core/model/iso-date.ts): `YYYY-MM-DD`
 * (midnight in `timezone`) or an ISO 8601 date-time (with an offset, or wall-clock time in
 * `timezone`); anything else is a 400 naming the field.
 */
export function parseDateField(field: string, text: string, timezone: string): number {
  try {
    return parseIsoDate(text, timezone);
  } catch (error) {
    throw new InvalidInputError(`${field}: ${(error as Error).message}`);
  }
}
