import type { ColumnDefinitionBuilder } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";

/** Column types every migration uses, told apart by capability (not by dialect name). */
export function columnTypes(features: DialectFeatures): {
  /** Epoch ms and other 64-bit integers. */
  int64: "integer" | "bigint";
  /** An auto-generated integer primary key. */
  identity: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return {
    int64: features.integerIs64Bit ? "integer" : "bigint",
    identity: (col) => (features.identityColumns ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement()),
  };
}
