import { InvalidInputError } from "../core/errors.js";
import type { TaskSpec } from "../core/model/dag-spec.js";
import { checkDatasetUris } from "./dataset-options.js";
import { resolveMap } from "./map-options.js";
import { TEARDOWN_TRIGGER_RULE } from "../core/model/states.js";
import { checkBoolean, checkId, checkKnownKeys, show } from "./option-checks.js";
import {
  resolveTaskPolicy,
  SHELL_OPTION_KEYS,
  TASK_OPTION_KEYS,
  type SetupTeardownOptions,
  type TaskPolicyOptions,
  type TeardownOptions,
} from "./task-options.js";
import { KeyRef, TaskNode } from "./task-ref.js";
import { tiValueInput } from "../core/templating/template-refs.js";

/** Direct upstream ids and data inputs of a task, in declaration order. */
export function resolveEdges(node: TaskNode): Pick<TaskSpec, "upstream" | "inputs" | "inputKeys"> {
  const inputs: Record<string, string> = {};
  const inputKeys: Record<string, string[]> = {};
  const raw = node.options.inputs ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`inputs must be an object of tasks, e.g. { e: extract }, got ${show(raw)}`);
  }
  for (const [name, ref] of Object.entries(raw)) {
    // extract.key("rows"): the input receives that key of extract's return value.
    if (ref instanceof KeyRef) inputKeys[name] = [...ref.path];
    inputs[name] = idOf(node, ref instanceof KeyRef ? ref.node : ref, `input "${name}"`);
  }
  // Templates reading {{ ti.value("x") }} receive x's value as an input (and so run after x).
  for (const id of node.templateValues) inputs[tiValueInput(id)] = id;
  const after = node.options.after ?? [];
  const afterList: unknown[] = Array.isArray(after) ? after : [after];
  const upstream = [
    ...Object.values(inputs),
    ...resolveMap(node, Object.keys(inputs)).upstream,
    ...afterList.map((u) => idOf(node, u, "after")),
    ...node.extraUpstream.map((u) => idOf(node, u, "after()/then()")),
    ...teardownSetups(node),
  ];
  // Only tasks with a keyed input carry inputKeys: the spec of any other task is unchanged.
  return { upstream: [...new Set(upstream)], inputs, ...(Object.keys(inputKeys).length > 0 ? { inputKeys } : {}) };
}

/** The setups a teardown declared (`teardown: { setups }`), as ids. */
function teardownSetups(node: TaskNode): string[] {
  const teardown: unknown = (node.options as SetupTeardownOptions).teardown;
  if (teardown === undefined || typeof teardown === "boolean") return [];
  if (typeof teardown !== "object" || teardown === null || Array.isArray(teardown)) {
    throw new InvalidInputError(`teardown must be true, false or { setups, failRun }, got ${show(teardown)}`);
  }
  checkKnownKeys(teardown as Record<string, unknown>, ["setups", "failRun"], "teardown option");
  const setups = (teardown as TeardownOptions).setups ?? [];
  const list: unknown[] = Array.isArray(setups) ? setups : [setups];
  return list.map((u) => {
    if (u instanceof TaskNode && (u.options as SetupTeardownOptions).setup !== true) {
      throw new InvalidInputError(`"${u.taskId}" in its setups is not a setup task; declare it with setup: true`);
    }
    return idOf(node, u, "teardown setups");
  });
}

/** `setup` and `teardown` as the spec carries them (only a setup or teardown task carries them). */
function setupTeardown(node: TaskNode, upstream: string[]): Pick<TaskSpec, "setup" | "teardown"> {
  const { setup, teardown } = node.options as SetupTeardownOptions;
  if (setup !== undefined && typeof setup !== "boolean") throw new InvalidInputError(`setup must be true or false, got ${show(setup)}`);
  if (teardown === undefined || teardown === false) return setup ? { setup: true } : {};
  if (setup) throw new InvalidInputError(`a task cannot be both a setup and a teardown`);
  if ((node.options as TaskPolicyOptions).triggerRule !== undefined) {
    throw new InvalidInputError(
      `a teardown's trigger rule is fixed (${TEARDOWN_TRIGGER_RULE}: it runs once its upstreams are done if one of its setups succeeded); leave triggerRule out`,
    );
  }
  const failRun = teardown === true ? false : checkBoolean((teardown as TeardownOptions).failRun ?? false, "teardown.failRun");
  const setups = teardownSetups(node);
  return { teardown: { setups: setups.filter((s) => upstream.includes(s)), failRun } };
}

function idOf(node: TaskNode, ref: unknown, what: string): string {
  if (typeof ref === "string" && (what === "after" || what === "after()/then()" || what === "teardown setups")) return ref;
  if (!(ref instanceof TaskNode)) {
    throw new InvalidInputError(`${what} must be a task returned by task(), shell(), branch() or shortCircuit(), got ${show(ref)}`);
  }
  if (ref.owner !== node.owner) {
    throw new InvalidInputError(`${what} refers to task "${ref.taskId}" of another DAG; a task can depend only on tasks of its own DAG`);
  }
  return ref.taskId;
}

/** The serialized task. Throws InvalidInputError naming the option at fault. */
export function toTaskSpec(node: TaskNode, defaults: TaskPolicyOptions): TaskSpec {
  const taskId = checkId(node.taskId, "task id");
  checkKnownKeys(node.options, node.kind === "shell" ? SHELL_OPTION_KEYS : TASK_OPTION_KEYS, "task option");
  let command: string | null = null;
  if (node.body.kind === "shell") {
    const { command: cmd, env, cwd } = node.body;
    if (typeof cmd === "string") {
      if (cmd.trim() === "") throw new InvalidInputError("command must not be empty");
      command = cmd;
    } else if (typeof cmd !== "function") {
      throw new InvalidInputError(`command must be a string template or a function (ctx) => string, got ${show(cmd)}`);
    }
    if (env !== undefined && (typeof env !== "object" || env === null || Object.values(env).some((v) => typeof v !== "string"))) {
      throw new InvalidInputError(`env must be an object of strings, got ${show(env)}`);
    }
    if (cwd !== undefined && typeof cwd !== "string") throw new InvalidInputError(`cwd must be a string, got ${show(cwd)}`);
  }
  const doc = node.options.doc;
  if (doc !== undefined && typeof doc !== "string") throw new InvalidInputError(`doc must be a string, got ${show(doc)}`);
  const sensitive = node.options.sensitive;
  if (sensitive !== undefined && typeof sensitive !== "boolean") throw new InvalidInputError(`sensitive must be true or false, got ${show(sensitive)}`);
  const edges = resolveEdges(node);
  const map = resolveMap(node, Object.keys(edges.inputs)).map;
  const roles = setupTeardown(node, edges.upstream);
  const policy = resolveTaskPolicy(node.options as TaskPolicyOptions, defaults);
  return {
    taskId,
    kind: node.kind,
    ...edges,
    ...policy,
    // A teardown's rule is fixed, whatever the DAG's defaults say.
    ...(roles.teardown ? { triggerRule: TEARDOWN_TRIGGER_RULE } : {}),
    command,
    line: node.site?.line ?? null,
    doc: doc ?? null,
    inlets: checkDatasetUris(node.options.inlets, "inlets"),
    outlets: checkDatasetUris(node.options.outlets, "outlets"),
    // Only mapped tasks carry `map`: the spec of an unmapped task is unchanged.
    ...(map ? { map } : {}),
    ...(node.operator ? { operator: node.operator } : {}),
    ...roles,
  };
}
