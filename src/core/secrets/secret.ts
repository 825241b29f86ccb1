const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A secret value (e.g. BATON_SECRET_KEY) that does not reveal itself when logged, printed or
 * serialized: `String()`, `JSON.stringify` and `util.inspect` show `***`. Call reveal() where
 * the value is really needed.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "***";
  }

  toJSON(): string {
    return "***";
  }

  [INSPECT](): string {
    return "Secret(***)";
  }
}
