import { obj, str, stringEnum, type JsonSchema } from "./json-schema.js";

export const ErrorSchema: JsonSchema = {
  $id: "Error",
  ...obj({
    error: obj(
      {
        code: stringEnum(["invalid_input", "unauthorized", "forbidden", "not_found", "conflict", "unavailable", "internal"]),
        message: str,
        field: { type: "string", description: "The one field at fault, when there is one (e.g. `conf.region`)." },
      },
      ["field"],
    ),
  }),
};

export const CommandResultSchema: JsonSchema = {
  $id: "CommandResult",
  description: "A change request recorded for the scheduler: `applied` (200) or still `pending` (202) after 5 s.",
  ...obj({
    commandId: { type: "integer" },
    status: stringEnum(["applied", "pending"]),
    result: { type: ["string", "null"], description: 'What the scheduler did ("ok" or why it could not).' },
  }),
};
