#!/usr/bin/env node
// The `baton` command. An installed package ships dist/ (the bundles of scripts/bundle.mjs); a fresh
// checkout of the repository builds it on first use (which needs its devDependencies: `npm install` there first).
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import module from "node:module";

// Node 22.1+ keeps the compiled code of the modules Baton loads on disk (os.tmpdir()/node-compile-cache)
// and reuses it at the next start (issue 13: start fast); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "cli", "main.js");
if (!existsSync(entry)) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    console.error(`baton: ${entry} is missing and TypeScript is not installed to build it; in a checkout of Baton run \`npm install && npm run build\``);
    process.exit(1);
  }
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  // Then bundle, as `npm run build` does (scripts/bundle.mjs; docs/contributing.md, "How the build works").
  execFileSync(process.execPath, [join(root, "scripts", "bundle.mjs")], { stdio: "inherit" });
}
await import(entry);
