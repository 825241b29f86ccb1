// Build step of the UI (ui/vite.config.ts): writes `<file>.br` and `<file>.gz` beside every
// compressible file of the build, which the API server sends to clients that accept them
// (@fastify/static `preCompressed`, src/api/ui-assets.ts): the best compression once, at build
// time, and no compression work per request. Source maps are left alone (only devtools load them).
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";

const COMPRESSIBLE = /\.(html|js|mjs|css|svg|json|txt)$/;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 256;

/** Compresses the files under `dir`; returns the paths it wrote copies for. */
export function precompressDir(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const done: string[] = [];
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(file);
    if (body.length < MIN_BYTES) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
    done.push(file);
  }
  return done;
}

/**
 * Deletes the plain and gzip copies of each hashed asset (`assets/`) that has a Brotli copy, and
 * returns the plain copies' paths: the package ships hashed assets only as .br (issue 13, install
 * size). The server sends the .br as is to clients that accept it (every browser over HTTPS or to
 * localhost), and decompresses it for the others, gzipping it again for a client that takes gzip
 * (src/api/ui-assets.ts). index.html and the other unhashed files keep all three copies.
 */
export function keepBrotliOnly(dir: string): string[] {
  const assets = join(dir, "assets");
  if (!existsSync(assets)) return [];
  const dropped: string[] = [];
  for (const name of readdirSync(assets)) {
    const file = join(assets, name);
    if (!COMPRESSIBLE.test(name) || !existsSync(`${file}.br`)) continue;
    if (existsSync(`${file}.gz`)) unlinkSync(`${file}.gz`);
    if (!existsSync(file)) continue;
    unlinkSync(file);
    dropped.push(file);
  }
  return dropped;
}
