/**
 * The parts of the OpenLineage 2-0-2 object model Baton emits (https://openlineage.io/spec/2-0-2/OpenLineage.json).
 * Facets carry `_producer` and `_schemaURL` like every OpenLineage facet.
 */

export type RunEventType = "START" | "RUNNING" | "COMPLETE" | "ABORT" | "FAIL" | "OTHER";

export interface BaseFacet {
  _producer: string;
  _schemaURL: string;
  [key: string]: unknown;
}

export interface LineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, BaseFacet>;
}

export interface RunEvent {
  eventType: RunEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets: Record<string, BaseFacet> };
  job: { namespace: string; name: string; facets: Record<string, BaseFacet> };
  inputs: LineageDataset[];
  outputs: LineageDataset[];
}

export const SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

/** The facets' schema URLs (the versions in the 2-0-2 specification's facets folder). */
export const FACET_SCHEMAS = {
  parent: "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
  nominalTime: "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet",
  errorMessage: "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
  jobType: "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
  sourceCodeLocation: "https://openlineage.io/spec/facets/1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet",
  sql: "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
} as const;
