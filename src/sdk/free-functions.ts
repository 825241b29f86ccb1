import { activeBuilder, type DagBuilder, type DagBuilderImpl } from "./dag-builder.js";

// The free forms of d.task(), d.shell()… for use inside a dag() callback; ctx.params is untyped.
// They act on the innermost dag() callback being run and throw outside one.

type Untyped = DagBuilder<Record<string, unknown>>;
type Args<K extends "task" | "shell" | "branch" | "shortCircuit"> = Parameters<DagBuilderImpl[K]>;

/** Declares a task in the enclosing dag() callback (see `d.task`). */
export const task = ((...args: Args<"task">) => activeBuilder("task").task(...args)) as unknown as Untyped["task"];

/** Declares a shell task in the enclosing dag() callback (see `d.shell`). */
export const shell = ((...args: Args<"shell">) => activeBuilder("shell").shell(...args)) as unknown as Untyped["shell"];

/** Declares a branch task in the enclosing dag() callback (see `d.branch`). */
export const branch = ((...args: Args<"branch">) => activeBuilder("branch").branch(...args)) as unknown as Untyped["branch"];

/** Declares a short-circuit task in the enclosing dag() callback (see `d.shortCircuit`). */
export const shortCircuit = ((...args: Args<"shortCircuit">) => activeBuilder("shortCircuit").shortCircuit(...args)) as unknown as Untyped["shortCircuit"];
