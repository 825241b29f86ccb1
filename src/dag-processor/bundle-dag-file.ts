import { isBuiltin } from "node:module";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Message, type Plugin } from "esbuild";

/** The compiled SDK every bundle imports for `baton`: one module instance shared with the task runner. */
export const SDK_ENTRY = fileURLToPath(new URL("../sdk/index.js", import.meta.url));

/** The other public entries (package.json#exports), e.g. `baton/operators`, compiled next to the SDK. */
const SUBPATH_ENTRIES: Record<string, string> = {
  "baton/operators": fileURLToPath(new URL("../operators/index.js", import.meta.url)),
  "baton/notifiers": fileURLToPath(new URL("../notifiers/index.js", import.meta.url)),
};

export type BundleOutcome =
  | {
      ok: true;
      code: string;
      /** Absolute paths of the local files bundled (the DAG file and the helpers it imports); packages stay external and are not listed. */
      inputs: string[];
    }
  | { ok: false; errors: { text: string; file: string | null; line: number | null; column: number | null; lineText: string | null }[] };

/**
 * Bundles a DAG file and its local imports into one ES module meant to live in `bundleDir`.
 * `baton` and npm packages stay external but are rewritten to absolute file URLs resolved from
 * the DAG file's own folder, so the bundle imports the same modules wherever it is written.
 */
export async function bundleDagFile(file: string, bundleDir: string): Promise<BundleOutcome> {
  const workDir = dirname(file);
  try {
    const result = await build({
      entryPoints: [file],
      absWorkingDir: workDir,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      // Only the folder matters: esbuild writes source map paths relative to it (made absolute below).
      outfile: join(bundleDir, "bundle.mjs"),
      // The map goes inline by withSourceMap(), once its paths are absolute.
      sourcemap: "external",
      // Resolve packages as Node does: no "module" condition or field.
      conditions: [],
      mainFields: ["main"],
      logLevel: "silent",
      metafile: true,
      plugins: [externalPackages()],
      banner: {
        js: 'import { createRequire as __batonCreateRequire } from "node:module"; const require = __batonCreateRequire(import.meta.url);',
      },
    });
    const out = result.outputFiles.find((f) => f.path.endsWith(".mjs"));
    const map = result.outputFiles.find((f) => f.path.endsWith(".mjs.map"));
    if (!out || !map) return { ok: false, errors: [{ text: "esbuild produced no output", file, line: null, column: null, lineText: null }] };
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(workDir, p));
    return { ok: true, code: withSourceMap(out.text, map.text, bundleDir), inputs };
  } catch (e) {
    const messages = (e as { errors?: Message[] }).errors;
    if (!Array.isArray(messages)) throw e;
    return {
      ok: false,
      errors: messages.map((m) => ({
        text: m.text,
        file: m.location ? resolve(workDir, m.location.file) : null,
        line: m.location?.line ?? null,
        column: m.location ? m.location.column + 1 : null,
        lineText: m.location?.lineText ?? null,
      })),
    };
  }
}

/**
 * The bundle with its source map inline, the map's `sources` made absolute `file:` URLs: stack
 * traces of the code then name the original files (the DAG file and the local modules it
 * imports) by their absolute paths on the machine that bundled them, wherever the bundle is
 * later copied (a remote worker's cache) and in whatever process runs it with source maps on.
 */
function withSourceMap(code: string, mapText: string, bundleDir: string): string {
  const map = JSON.parse(mapText) as { sources?: string[] };
  map.sources = (map.sources ?? []).map((s) => (/^[a-z][a-z0-9+.-]*:/i.test(s) && !isAbsolute(s) ? s : pathToFileURL(resolve(bundleDir, s)).href));
  const base64 = Buffer.from(JSON.stringify(map)).toString("base64");
  return `${code.endsWith("\n") ? code : `${code}\n`}//# sourceMappingURL=data:application/json;base64,${base64}\n`;
}

/** Marks resolutions the plugin asked esbuild for itself, so it does not see them again. */
const SKIP = { batonSkip: true };

function externalPackages(): Plugin {
  return {
    name: "baton-externals",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === SKIP || isAbsolute(args.path)) return undefined;
        if (args.path === "baton") return { path: pathToFileURL(SDK_ENTRY).href, external: true };
        const subpathEntry = SUBPATH_ENTRIES[args.path];
        if (subpathEntry) return { path: pathToFileURL(subpathEntry).href, external: true };
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: SKIP,
        });
        if (r.errors.length > 0) return { errors: r.errors };
        if (r.external) return { path: r.path, external: true };
        // A workspace package linked outside node_modules may be TypeScript: bundle it.
        if (!r.path.includes(`${sep}node_modules${sep}`)) return { path: r.path };
        // import() takes file URLs (needed on Windows); require() takes paths.
        return { path: args.kind === "require-call" ? r.path : pathToFileURL(r.path).href, external: true };
      });
    },
  };
}
