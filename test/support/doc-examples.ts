import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson, ROOT } from "../e2e/baton-cli.js";

/** The ```ts blocks of `docs/<name>`, in order. */
export function docTsBlocks(name: string): string[] {
  const text = readFileSync(join(ROOT, "docs", name), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * A doc block as a DAG file: a complete one (`export default dag(`) as written; a fragment using
 * `d` wrapped in a `dag({ id }, (d) => { … })` callback after `imports`.
 */
export function asDagFile(code: string, id: string, imports: string, prelude = ""): string {
  if (code.includes("export default dag(")) return code;
  return `import { dag } from "baton";\n${imports}\nexport default dag({ id: "${id}" }, (d) => {\n${prelude}${code}\n});\n`;
}

/**
 * Loads DAG sources with the real binary (`baton dags errors` and `dags list`; needs
 * `npm run build`) in a temporary folder; returns the import errors and the DAG ids loaded.
 */
export async function loadWithBinary(sources: string[]): Promise<{ errors: { file: string; message: string }[]; dagIds: string[] }> {
  const root = mkdtempSync(join(tmpdir(), "baton-docs-"));
  try {
    const dags = join(root, "dags");
    mkdirSync(dags);
    sources.forEach((source, i) => writeFileSync(join(dags, `doc_${i}.ts`), source));
    const env = { BATON_HOME: join(root, "home") };
    const errors = batonJson<{ file: string; message: string }[]>(await baton(["dags", "errors", "--dags", dags, "--json"], env));
    const list = batonJson<{ dagId: string }[]>(await baton(["dags", "list", "--dags", dags, "--json"], env));
    return { errors, dagIds: list.map((d) => d.dagId) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
