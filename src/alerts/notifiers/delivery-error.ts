import { BatonError } from "../../core/errors.js";

/**
 * A delivery that failed. `retryable` false for what another try cannot fix (the service refused
 * the payload or the credentials; the connection does not fit); `retryAfterMs` when the service
 * said when to come back (HTTP 429 Retry-After). Messages never hold secrets.
 */
export class DeliveryError extends BatonError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
