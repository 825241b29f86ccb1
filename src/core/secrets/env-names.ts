/** `BATON_CONN_<ID>`: the id upper-cased, every character other than A–Z and 0–9 turned into `_`. */
export function connectionEnvName(id: string): string {
  return `BATON_CONN_${envSuffix(id)}`;
}

/** `BATON_VAR_<KEY>`, with the key normalised like {@link connectionEnvName}. */
export function variableEnvName(key: string): string {
  return `BATON_VAR_${envSuffix(key)}`;
}

function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}
