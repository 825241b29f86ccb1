// Baton UI — its own Vite app (see docs/ui.md). Builds into ../dist/ui, which the API server
// serves at "/" with an SPA fallback. Works from the repo root:
//   npx vite build --config ui/vite.config.ts     (or: npx vite build ui)
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { precompressDir } from "./precompress";

const root = fileURLToPath(new URL(".", import.meta.url));
// The API the dev server proxies /api to (`baton standalone` listens on 127.0.0.1:8080 by default).
const apiTarget = process.env.BATON_API_URL ?? "http://127.0.0.1:8080";

/** Writes .br and .gz copies of the built files (ui/precompress.ts). */
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
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  plugins: [react(), precompress()],
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
});
