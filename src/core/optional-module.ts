import { FailTask } from "./errors.js";

/**
 * An integration's client library is an optional peer dependency of the `baton` package (a core
 * install stays small). Thrown when the library is not installed: names the package(s) and the
 * command. A FailTask, so a task that needs it fails at once instead of using up its retries.
 */
export class MissingPackageError extends FailTask {
  constructor(
    readonly feature: string,
    readonly packages: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${feature} needs ${packages.join(" and ")}: npm install ${packages.join(" ")}`, options);
  }
}

/**
 * Imports an optional integration through `load` (a dynamic import written at the call site, so
 * bundlers and the dependency checker see it). A missing package becomes a MissingPackageError;
 * any other failure (a broken install, an error thrown while the module initialises) is rethrown.
 */
export async function loadOptional<T>(feature: string, packages: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const missing = packages.filter((p) => isMissing(e, p));
    if (missing.length > 0) throw new MissingPackageError(feature, packages, { cause: e });
    throw e;
  }
}

/** Node's "Cannot find package 'x' imported from …" (ESM) or "Cannot find module 'x'" (CJS). */
function isMissing(e: unknown, pkg: string): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return typeof message === "string" && (message.includes(`'${pkg}'`) || message.includes(`'${pkg}/`));
}
