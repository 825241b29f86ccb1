import { bool, int, nullableInt, nullableStr, obj, str, stringEnum, time, type JsonSchema } from "./json-schema.js";

const source = {
  ...stringEnum(["store", "env"]),
  description: "Where tasks get it from: `env` when the environment variable `envVar` defines it (it overrides the store and is read-only through the API).",
};
const envVar = { type: "string", description: "The environment variable that overrides this entry (`BATON_CONN_<ID>` / `BATON_VAR_<KEY>`)." };
const readOnly = { type: "boolean", description: "True when `source` is `env`: writes answer 409." };

export const ConnectionSchema: JsonSchema = {
  $id: "Connection",
  description: "A connection without its secrets: the password only as `hasPassword`, sensitive extras as `***`.",
  ...obj({
    id: str,
    type: str,
    host: nullableStr,
    port: nullableInt,
    login: nullableStr,
    hasPassword: { type: "boolean", description: "Whether a password is set; the password itself is never returned." },
    schema: nullableStr,
    extra: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Extras; values of sensitive keys (password, token, secret, api_key …) are `***`.",
    },
    description: str,
    updatedAt: { ...time, description: "Last write to the store; null when the environment defines it (source `env`)." },
    source,
    envVar,
    readOnly,
  }),
};

export const ConnectionCheckSchema: JsonSchema = {
  $id: "ConnectionCheck",
  description: "The result of `baton connections test` for this connection.",
  ...obj({
    id: str,
    ok: bool,
    supported: { type: "boolean", description: "False when Baton has no check for this connection type (then `ok` is false)." },
    error: { ...nullableStr, description: "Why the check failed, with the connection's secrets masked; null when ok." },
    durationMs: int,
  }),
};

export const VariableSchema: JsonSchema = {
  $id: "Variable",
  description: "A variable; the value of a sensitive one (its key contains password, token, secret, api_key …) is `***`.",
  ...obj({
    key: str,
    value: str,
    sensitive: bool,
    description: str,
    updatedAt: { ...time, description: "Last write to the store; null when the environment defines it (source `env`)." },
    source,
    envVar,
    readOnly,
  }),
};
