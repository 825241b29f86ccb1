// `npm run build`, after tsc: bundles the server's process entries and the public entries with
// esbuild (one build, code splitting) over tsc's JavaScript in dist/src/ (issue 13: start fast,
// small install). Each entry is written where tsc wrote it (dist/src/cli/main.js …) and the code
// they share goes to dist/src/_chunks/; every third-party library except EXTERNAL is inside, so the
// published package needs only those at run time (docs/contributing.md, "How the build works").
// Running tsc again afterwards (`npx tsc -p tsconfig.build.json`) puts tsc's entries back: the
// unbundled tree, which works the same, loads slower and leaves _chunks/ unused.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Every file a process starts from (bin/baton.js, fork, Worker) and every package.json export. */
const ENTRIES = [
  "cli/main", // bin/baton.js; the commands are dynamic-import chunks
  "cli/type-check-child", // cli/dag-type-watch.ts
  "dag-processor/child", // dag-processor/loader-child.ts
  "executor/task-runner/main", // the worker pool's children (local-process-executor.ts)
  "executor/task-runner/callback-main", // callback-processes.ts
  "executor/task-runner/parent-watchdog", // new Worker(import.meta.url) in the task runner
  "sdk/index", // baton (and what every DAG bundle imports: bundle-dag-file.ts's SDK_ENTRY)
  "operators/index", // baton/operators
  "notifiers/index", // baton/notifiers
  "testing/index", // baton/testing
];

/**
 * Loaded from node_modules at run time: the package's remaining dependencies (native, the DAG
 * bundler, and what the public .d.ts files or user code must share: zod, @opentelemetry/api),
 * every optional peer integration (loaded by `loadOptional`), and what bundled libraries
 * require only optionally.
 */
const EXTERNAL = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  "pg-native", // pg's `native` getter
  "bufferutil", // ws, when installed
  "utf-8-validate",
];

/**
 * `import.meta.url` of each module, as tsc's output would see it (dist/src/<path>.js): the code
 * that finds sibling files from it (child entries, the UI, the SDK for DAG bundles, package.json)
 * keeps working from whichever chunk the module ends up in. Only real `import.meta.url`
 * expressions are rewritten (found in the syntax tree), not the text in strings.
 */
const moduleUrls = {
  name: "baton-module-urls",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const file = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      const spans = [];
      const visit = (node) => {
        if (
          ts.isPropertyAccessExpression(node) &&
          node.name.text === "url" &&
          ts.isMetaProperty(node.expression) &&
          node.expression.keywordToken === ts.SyntaxKind.ImportKeyword
        ) {
          spans.push([node.getStart(file), node.getEnd()]);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      const own = relative(join(root, "src"), args.path).split(sep).join("/").replace(/\.ts$/, ".js");
      let out = text;
      for (const [start, end] of spans.reverse()) {
        out = `${out.slice(0, start)}new URL(${JSON.stringify(own)}, __batonSrcRoot).href${out.slice(end)}`;
      }
      return { contents: out, loader: "ts" };
    });
  },
};

/**
 * prom-client requires @opentelemetry/api when it loads (for exemplars' trace ids), but the API is
 * an optional peer dependency of Baton (docs/install.md, docs/tracing.md): prom-client gets the
 * project's API when it is installed, else an API with no active span.
 */
const optionalOtelApiForPromClient = {
  name: "baton-optional-otel-api",
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\/api$/ }, (args) =>
      /[\\/]node_modules[\\/]prom-client[\\/]/.test(args.importer) ? { path: "otel-api", namespace: "baton-optional" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "baton-optional" }, () => ({
      contents:
        'let api; try { api = require("@opentelemetry/api"); } catch { api = { trace: { getSpan: () => undefined }, context: { active: () => undefined } }; } module.exports = api;',
      loader: "js",
    }));
  },
};

// In every output file: `require` for the bundled CommonJS libraries (fastify, pino, pg …),
// and the dist/src/ folder the file is in (entries and _chunks/ are all under it).
const banner = [
  'import { createRequire as __batonCreateRequire } from "node:module";',
  "const require = __batonCreateRequire(import.meta.url);",
  'const __batonSrcRoot = import.meta.url.slice(0, import.meta.url.lastIndexOf("/dist/src/") + "/dist/src/".length);',
].join(" ");

const outdir = join(root, "dist", "src");
rmSync(join(outdir, "_chunks"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES.map((e) => ({ in: `src/${e}.ts`, out: e })),
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.12",
  chunkNames: "_chunks/[name]-[hash]",
  external: EXTERNAL,
  banner: { js: banner },
  plugins: [moduleUrls, optionalOtelApiForPromClient],
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  // Smaller files parse faster and take less disk (issue 13: minifying identifiers saves 0.6 MB).
  // keepNames keeps functions' and classes' names (stack traces, `constructor.name`) for 80 kB.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  logLevel: "warning",
  metafile: true,
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
});
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"));
// What went into which file (for esbuild's analyzer, https://esbuild.github.io/analyze/); not shipped.
writeFileSync(join(outdir, "_chunks", "meta.json"), JSON.stringify(result.metafile));
console.log(`bundled ${ENTRIES.length} entries into ${outputs.length} files (dist/src/, dist/src/_chunks/)`);
