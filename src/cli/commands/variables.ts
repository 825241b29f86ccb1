import { NotFoundError } from "../../core/errors.js";
import { variableEnvName } from "../../core/secrets/env-names.js";
import { isSensitiveKey, MASK } from "../../core/secrets/sensitive-keys.js";
import { checkSecretName } from "../../secrets/secret-vault.js";
import { recordCliAudit } from "../cli-audit.js";
import { EXIT, iso, printJson, printTable } from "../output.js";
import { openSecretVault, withRuntime, type CommonOptions } from "../runtime.js";
import { fromStdinIfDash } from "./connections.js";

const shown = (key: string, value: string, reveal = false) => (isSensitiveKey(key) && !reveal ? MASK : value);

/** `baton variables set <key> <value>`: stores (or replaces) a variable, encrypted. `-` reads the value from stdin. */
export async function variablesSet(key: string, value: string, opts: CommonOptions & { description?: string }): Promise<number> {
  checkSecretName(key, "variable key");
  const text = fromStdinIfDash(value)!;
  return withRuntime(opts, async (rt) => {
    const vault = openSecretVault(rt.config, rt.store);
    const old = await vault.getVariable(key);
    await vault.putVariable(key, text, opts.description ?? "");
    await recordCliAudit(rt.store, old === undefined ? "variable.create" : "variable.update", {
      command: "variables set",
      target: { type: "variable", id: key },
      before: old === undefined ? null : auditedVariable(key, old.value, old.description),
      after: auditedVariable(key, text, opts.description ?? ""),
    });
    if (opts.json) printJson({ key });
    else process.stdout.write(`Set variable ${key}.\n`);
    return EXIT.ok;
  });
}

/** The value tasks would get (environment first), masked when the key looks secret unless --reveal. */
export async function variablesGet(key: string, opts: CommonOptions & { reveal?: boolean }): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const name = variableEnvName(key);
    const env = rt.config.secretEnv[name];
    const entry = env === undefined ? await openSecretVault(rt.config, rt.store).getVariable(key) : undefined;
    if (env === undefined && entry === undefined) {
      throw new NotFoundError(`variable "${key}" not found: looked in the environment variable ${name} and the store`);
    }
    const value = shown(key, env ?? entry!.value, opts.reveal);
    if (opts.json) {
      printJson({ key, value, source: env !== undefined ? `env ${name}` : "store", description: entry?.description ?? "", updatedAt: iso(entry?.updatedAt) });
    } else process.stdout.write(`${value}\n`);
    return EXIT.ok;
  });
}

export async function variablesList(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const rows = (await openSecretVault(rt.config, rt.store).listVariables()).map((v) => ({
      key: v.key,
      value: shown(v.key, v.value),
      description: v.description,
      updatedAt: iso(v.updatedAt),
    }));
    if (opts.json) printJson(rows);
    else printTable(rows, ["key", "value", "description", "updatedAt"]);
    return EXIT.ok;
  });
}

export async function variablesDelete(key: string, opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const old = await openSecretVault(rt.config, rt.store)
      .getVariable(key)
      .catch(() => undefined);
    if (!(await rt.store.deleteVariable(key))) throw new NotFoundError(`no variable "${key}" in the store`);
    await recordCliAudit(rt.store, "variable.delete", {
      command: "variables delete",
      target: { type: "variable", id: key },
      before: old ? auditedVariable(key, old.value, old.description) : null,
    });
    process.stdout.write(`Deleted variable ${key}.\n`);
    return EXIT.ok;
  });
}

/** A variable's audit values: a sensitive one's value is `***` (as the API records it). */
function auditedVariable(key: string, value: string, description: string): Record<string, unknown> {
  return { value: shown(key, value), sensitive: isSensitiveKey(key), description };
}
