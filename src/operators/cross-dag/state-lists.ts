import { InvalidInputError } from "../../core/errors.js";

/**
 * Checks the state lists of a cross-DAG operator: each a list of known states, and no state in
 * two of them. Returns the lists with their defaults.
 */
export function stateLists<S extends string, K extends string>(
  where: string,
  valid: readonly S[],
  given: Partial<Record<K, unknown>>,
  defaults: Record<K, readonly S[]>,
): Record<K, readonly S[]> {
  const out = {} as Record<K, readonly S[]>;
  const owner = new Map<S, K>();
  for (const key of Object.keys(defaults) as K[]) {
    const value = given[key] ?? defaults[key];
    if (!Array.isArray(value)) throw new InvalidInputError(`${where}: ${key} must be a list of states (${valid.join(", ")})`);
    for (const state of value as unknown[]) {
      if (!valid.includes(state as S)) {
        throw new InvalidInputError(`${where}: ${key} has unknown state ${JSON.stringify(state)}; valid states: ${valid.join(", ")}`);
      }
      const other = owner.get(state as S);
      if (other !== undefined && other !== key) throw new InvalidInputError(`${where}: state "${String(state)}" is in both ${other} and ${key}`);
      owner.set(state as S, key);
    }
    out[key] = value as S[];
  }
  return out;
}
