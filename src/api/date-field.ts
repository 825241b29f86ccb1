import { InvalidInputError } from "../core/errors.js";
import { parseDate } from "../core/model/dates.js";

/** Parses a request's date field: YYYY-MM-DD (midnight in `timezone`) or an ISO 8601 date-time. */
export function parseDateField(field: string, text: string, timezone: string): number {
  let ms: number;
  try {
    ms = parseDate(text, timezone);
  } catch {
    throw new InvalidInputError(`${field}: "${text}" cannot be placed in the DAG's time zone "${timezone}"; give an ISO 8601 date-time with an offset`);
  }
  if (Number.isNaN(ms)) throw new InvalidInputError(`${field}: "${text}" is not a date; use YYYY-MM-DD or an ISO 8601 date-time`);
  return ms;
}
