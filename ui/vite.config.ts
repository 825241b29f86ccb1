// Baton UI — its own Vite app (see docs/ui.md). Builds into ../dist/ui, which the API server
// serves at "/" with an SPA fallback. Works from the repo root:
//   npx vite build --config ui/vite.config.ts     (or: npx vite build ui)
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { keepBrotliOnly, precompressDir } from "./precompress";

const root = fileURLToPath(new URL(".", import.meta.url));
// The API the dev server proxies /api to (`baton standalone` listens on 127.0.0.1:8080 by default).
const apiTarget = process.env.BATON_API_URL ?? "http://127.0.0.1:8080";

/** Writes .br and .gz copies of the built files, then keeps only the .br of the hashed assets (ui/precompress.ts). */
function precompress(): Plugin {
  let outDir = "";
  return {
    name: "baton-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      precompressDir(outDir);
      keepBrotliOnly(outDir);
    },
  };
}

/**
 * Links the app's code (root.tsx's chunk and the app chunk below) and its styles from index.html,
 * so the browser fetches them with the page rather than once the entry script has run (and the
 * shell in index.html is drawn styled); the entry then asks only for the page's chunk.
 * The entry is `async`: it starts the page's API calls as soon as it has loaded, without waiting
 * for the styles or the end of parsing.
 */
function linkAppChunk(): Plugin {
  return {
    name: "baton-link-app-chunk",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === "chunk");
        const app = chunks.find((c) => c.name === "app");
        const root = chunks.find((c) => c.name === "root");
        if (!app || !root) throw new Error("the build has no app or root chunk: see isAppChunk in ui/vite.config.ts");
        // The global styles are root.tsx's imports; the shell's and the design system's are the app chunk's.
        const css = [...(root.viteMetadata?.importedCss ?? []), ...(app.viteMetadata?.importedCss ?? [])];
        const entry = '<script type="module" crossorigin src=';
        if (!html.includes(entry)) throw new Error(`index.html has no ${entry}…>: see linkAppChunk in ui/vite.config.ts`);
        const tags = [
          ...css.map((f) => ({ tag: "link", attrs: { rel: "stylesheet", crossorigin: true, href: `/${f}` }, injectTo: "head" as const })),
          // With what they import statically (the bundler's runtime chunk): found only once they are parsed otherwise.
          ...[...new Set([root.fileName, app.fileName, ...root.imports, ...app.imports])].map((f) => ({
            tag: "link",
            attrs: { rel: "modulepreload", crossorigin: true, href: `/${f}` },
            injectTo: "head" as const,
          })),
        ];
        return { html: html.replace(entry, '<script type="module" async crossorigin src='), tags };
      },
    },
  };
}

/**
 * Writes `first-load.json`: the chunks (and their styles) of each page the server can answer a
 * first load of — the home page and the DAG page — without the ones index.html already links. The
 * server links them from the page's index.html (src/api/first-data.ts), so the browser fetches the
 * page's code with the document instead of once the entry script has run.
 */
const FIRST_PAGES = { home: /[\\/]pages[\\/]home-page\.tsx$/, dag: /[\\/]pages[\\/]dag-page\.tsx$/ };
function pageChunks(): Plugin {
  return {
    name: "baton-page-chunks",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const linked = new Set<string>();
      for (const c of chunks) if (c.isEntry || c.name === "app" || c.name === "root") for (const f of [c.fileName, ...c.imports]) linked.add(f);
      const out: Record<string, { js: string[]; css: string[] }> = {};
      for (const [page, test] of Object.entries(FIRST_PAGES)) {
        const chunk = chunks.find((c) => c.facadeModuleId !== null && test.test(c.facadeModuleId));
        if (!chunk) throw new Error(`the build has no chunk for the ${page} page: see pageChunks in ui/vite.config.ts`);
        const js: string[] = [];
        const css: string[] = [];
        const visit = (file: string) => {
          const c = byFile.get(file);
          if (!c || linked.has(file) || js.includes(file)) return;
          js.push(file);
          for (const f of c.viteMetadata?.importedCss ?? []) if (!css.includes(f)) css.push(f);
          c.imports.forEach(visit);
        };
        visit(chunk.fileName);
        out[page] = { js, css };
      }
      this.emitFile({ type: "asset", fileName: "first-load.json", source: JSON.stringify(out) });
    },
  };
}

/**
 * The chunk of what every page needs once signed in: React, TanStack Query, the shell and the
 * design system. One file rather than a dozen small shared chunks: each request costs a round
 * trip through the single-threaded server on the first load (docs/ui.md, "First load"). Not in
 * it: the entry (main.tsx, boot/, api/client.ts: it starts the first API calls before this chunk
 * has loaded), the pages' own code, and what only some pages load (React Flow, elkjs, cronstrue,
 * TanStack Virtual).
 */
const APP_LIBS = /node_modules[\\/](react|react-dom|scheduler|@tanstack[\\/](query-core|react-query))[\\/]/;
const NOT_APP_SRC =
  /ui[\\/]src[\\/](main\.tsx|root\.tsx|boot[\\/]|api[\\/]client\.ts|lib[\\/](elk-layout|schedule-text)\.ts|pages[\\/](?!login-page|not-found-page|search[\\/]|admin[\\/]admin-tabs))/;
function isAppChunk(id: string): boolean {
  if (id.includes("node_modules")) return APP_LIBS.test(id);
  return /ui[\\/]src[\\/]/.test(id) && !NOT_APP_SRC.test(id);
}

export default defineConfig({
  root,
  base: "/",
  plugins: [react(), linkAppChunk(), pageChunks(), precompress()],
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: "app", test: isAppChunk, includeDependenciesRecursively: false }] } },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
});
