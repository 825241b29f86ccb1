/**
 * The architecture, enforced (docs/ARCHITECTURE.md): the core knows nothing of storage, HTTP or
 * processes; adapters depend on the core, never the reverse; only the CLI composes.
 */
const layer = (name) => `^src/${name}/`;
/**
 * Test code: test files, the store's contract suites, the layers' test helpers (src/<layer>/testing/)
 * and test/. It may import anything in src/; the layer rules below apply to product code only.
 */
const TEST_CODE = "\\.test\\.ts$|/contract/|^src/.+/testing/|^test/";
/** A layer rule checks product code: its `from` leaves test code out. */
const productOnly = (rule) => ({
  ...rule,
  from: { ...rule.from, pathNot: [TEST_CODE, ...[rule.from.pathNot ?? []].flat()] },
});
const layerRules = [
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
    to: { path: "^src/", pathNot: ["^src/core/", "^src/sdk/", "^src/notifiers/"] },
  },
  {
    name: "notifier-declarations-are-plain-data",
    comment: "baton/notifiers: slack(), pagerduty()... build plain declarations with the core's checks; no I/O",
    severity: "error",
    from: { path: layer("notifiers") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/notifiers/"] },
  },
  {
    name: "notification-delivery-boundaries",
    comment: "the notifiers' adapters and the outbox: the core's ports and the SMTP options of the e-mail operator",
    severity: "error",
    from: { path: "^src/alerts/(notifiers|outbox)/" },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/alerts/(notifiers|outbox)/", "^src/operators/email/smtp-transport\\.ts$"] },
  },
  {
    name: "adapters-depend-on-core-only",
    comment: "scheduler, store, config, secrets depend on core (and themselves), never on each other or the CLI",
    severity: "error",
    from: { path: "^src/(scheduler|store|config|secrets)/" },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/$1/"] },
  },
  {
    name: "triggerer-runs-built-in-sensor-checks-only",
    comment: "the triggerer runs in the scheduler's process: core plus the built-in sensors' checks, never user code",
    severity: "error",
    from: { path: layer("triggerer") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/triggerer/", "^src/operators/sensors/(sensor-checks?|poke-schedule)\\.ts$"] },
  },
  {
    name: "executor-loads-user-code-via-sdk-contract-only",
    severity: "error",
    from: { path: layer("executor") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/executor/", "^src/sdk/(definition|context)\\.ts$", "^src/tracing/worker-tracing\\.ts$"] },
  },
  {
    name: "dag-processor-boundaries",
    severity: "error",
    from: { path: layer("dag-processor") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/dag-processor/", "^src/sdk/"] },
  },
  {
    name: "triggers-boundaries",
    comment:
      "event triggers: the core, the broker clients of the messaging operators, the object stores of the storage operators, and the scheduler's pure run factory",
    severity: "error",
    from: { path: layer("triggers") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/triggers/", "^src/operators/mq/", "^src/operators/storage/", "^src/scheduler/run-factory\\.ts$"] },
  },
  {
    name: "metrics-depends-on-core-only",
    comment: "the Prometheus adapter (prom-client) reads the engine through the core's types and small structural sources; the core never imports it",
    severity: "error",
    from: { path: layer("metrics") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/metrics/"] },
  },
  {
    name: "tracing-boundaries",
    comment: "the OpenTelemetry adapter: core types, its own config; the only folder importing the OTel SDK",
    severity: "error",
    from: { path: layer("tracing") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/tracing/", "^src/config/tracing-config\\.ts$"] },
  },
  {
    name: "lineage-boundaries",
    comment: "OpenLineage: built from the core's domain events and specs; its configuration's types; no other layer",
    severity: "error",
    from: { path: layer("lineage") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/lineage/", "^src/config/lineage-config\\.ts$"] },
  },
  {
    name: "remote-boundaries",
    comment:
      "remote workers (docs/adr/0008): the protocol, the worker process and the API server's hub run on the core and the executor's pool; the hub checks worker tokens with the API's verifier",
    severity: "error",
    from: { path: layer("remote") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/executor/", "^src/remote/", "^src/api/auth/worker-token\\.ts$"] },
  },
  {
    name: "testing-entry-boundaries",
    comment:
      "baton/testing (src/testing): composes the scheduler, an in-memory store, the in-process executor and the triggerer for a user's test; never the CLI, the API or remote workers",
    severity: "error",
    from: { path: "^src/testing/" },
    to: { path: "^src/(cli|api|remote|dag-processor)/" },
  },
  {
    name: "api-boundaries",
    comment:
      "the HTTP adapter: the core's model and ports, its own routes and schemas, the lineage graph builder and the scheduler's request handlers (delete a DAG, trigger a run, create a backfill) run against those ports; never the CLI, the executor, the store's adapters or the scheduler's loop: the composition root hands them in (ApiDeps)",
    severity: "error",
    from: { path: layer("api") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/api/", "^src/lineage/lineage-graph\\.ts$", "^src/scheduler/requests/[^/]+\\.ts$"] },
  },
  {
    name: "openapi-generator-only",
    comment:
      "src/api/openapi-document.ts describes the routes with @fastify/swagger (a devDependency) for `npm run gen:api`; only the generator imports it: the server serves the generated docs/openapi.json",
    severity: "error",
    from: { pathNot: "^src/api/write-openapi\\.ts$" },
    to: { path: "^src/api/openapi-document\\.ts$" },
  },
  {
    name: "operators-depend-on-sdk-and-core-only",
    comment:
      "built-in operators and sensors (baton/operators) are user-level code: the SDK, the core and each other; no API, CLI, scheduler, executor or store",
    severity: "error",
    from: { path: layer("operators") },
    to: { path: "^src/", pathNot: ["^src/core/", "^src/sdk/", "^src/operators/"] },
  },
  {
    name: "nothing-imports-testing-entry",
    comment: "src/testing is a public entry for users' tests, not a library for the product",
    severity: "error",
    from: { path: "^src/", pathNot: "^src/testing/" },
    to: { path: "^src/testing/" },
  },
  {
    name: "nothing-imports-cli",
    comment: "only tests may reach into the CLI's composition (scheduler-parts, purge commands)",
    severity: "error",
    from: { pathNot: "^src/cli/" },
    to: { path: "^src/cli/" },
  },
];
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    ...layerRules.map(productOnly),
    {
      name: "product-code-never-imports-test-code",
      comment:
        "src/ and bench/ never import test files, test/, the contract suites or a layer's testing/ helpers; exceptions: baton/testing (src/testing) builds on the layers' test helpers (ManualClock), and the measure-*.ts probes run by `npm run bench` build fixtures with them",
      severity: "error",
      from: { path: "^(src|bench)/", pathNot: [TEST_CODE, "^src/testing/", "/measure-[^/]+\\.ts$"] },
      to: { path: TEST_CODE },
    },
    {
      name: "testing-entry-never-imports-tests",
      comment: "baton/testing ships in the package: no test files, test/ or contract suites",
      severity: "error",
      from: { path: "^src/testing/", pathNot: "\\.test\\.ts$" },
      to: { path: "\\.test\\.ts$|/contract/|^test/" },
    },
    {
      name: "tests-never-import-tests",
      comment: "a test file imported by another registers its suites twice; share helpers through test/support/ or a layer's testing/",
      severity: "error",
      from: { path: TEST_CODE },
      to: { path: "\\.test\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
