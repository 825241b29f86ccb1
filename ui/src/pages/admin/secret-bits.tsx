/** Small pieces shared by the connections and variables panels. */

/** How a secret that is set but never shown appears. */
export const MASKED = "•••";

/** Why an entry cannot be changed here (it comes from the environment), or null. */
export function envReadOnly(readOnly: boolean, envVar: string): string | null {
  return readOnly ? `Defined by the environment variable ${envVar} on the server; change it there` : null;
}

export function SourceBadge({ source, envVar }: { source: "store" | "env"; envVar: string }) {
  return source === "env" ? (
    <span className="badge" title={`From the environment variable ${envVar} (overrides the store; read-only here)`} data-testid="source-env">env · {envVar}</span>
  ) : (
    <span className="badge" title={`Stored encrypted; ${envVar} in the environment would override it`}>store</span>
  );
}
