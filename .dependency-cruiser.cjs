/**
 * The architecture, enforced (docs/ARCHITECTURE.md): the core knows nothing of storage, HTTP or
 * processes; adapters depend on the core, never the reverse; only the CLI composes.
 */
const layer = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    {
      name: "core-is-pure",
      comment: "src/core imports only src/core and pure libraries",
      severity: "error",
      from: { path: layer("core") },
      to: { pathNot: ["^src/core/", "node_modules/(croner|ajv)/", "^(croner|ajv)"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-no-node-builtins",
      severity: "error",
      from: { path: layer("core"), pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "sdk-depends-on-core-only",
      severity: "error",
      from: { path: layer("sdk") },
      to: { path: "^src/", pathNot: ["^src/core/", "^src/sdk/"] },
    },
    {
      name: "adapters-depend-on-core-only",
      comment: "scheduler, store, config, secrets depend on core (and themselves), never on each other or the CLI",
      severity: "error",
      from: { path: "^src/(scheduler|store|config|secrets)/" },
      to: { path: "^src/", pathNot: ["^src/core/", "^src/$1/"] },
    },
    {
      name: "executor-loads-user-code-via-sdk-contract-only",
      severity: "error",
      from: { path: layer("executor") },
      to: { path: "^src/", pathNot: ["^src/core/", "^src/executor/", "^src/sdk/(definition|context)\\.ts$"] },
    },
    {
      name: "dag-processor-boundaries",
      severity: "error",
      from: { path: layer("dag-processor") },
      to: { path: "^src/", pathNot: ["^src/core/", "^src/dag-processor/", "^src/sdk/"] },
    },
    {
      name: "nothing-imports-cli",
      severity: "error",
      from: { pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$|/contract/|/testing/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
