import { Command, InvalidArgumentError } from "commander";
import { batonVersion } from "./baton-version.js";
import { exportToEnvironment, loadConfig } from "../config/config.js";
import { exitCodeFor } from "./output.js";
import { installCrashHandlers } from "./crash-handlers.js";

/**
 * A command's body, imported when that command runs: `baton standalone` loads none of the other
 * commands' modules before its API answers (issue 13: start fast; docs/benchmark.md).
 */
function lazy<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>): (...args: A) => Promise<number> {
  return async (...args: A) => (await load())(...args);
}
const auditList = lazy(async () => (await import("./commands/audit-list.js")).auditList);
const dagsBackfill = lazy(async () => (await import("./commands/dags-backfill.js")).dagsBackfill);
const dagsErrors = lazy(async () => (await import("./commands/dags-read.js")).dagsErrors);
const dagsList = lazy(async () => (await import("./commands/dags-read.js")).dagsList);
const dagsSetPaused = lazy(async () => (await import("./commands/dags-read.js")).dagsSetPaused);
const dagsCheck = lazy(async () => (await import("./commands/dags-check.js")).dagsCheck);
const dagsDelete = lazy(async () => (await import("./commands/dags-delete.js")).dagsDelete);
const dagsTest = lazy(async () => (await import("./commands/dags-test.js")).dagsTest);
const dagsTrigger = lazy(async () => (await import("./commands/dags-trigger.js")).dagsTrigger);
const dbMigrate = lazy(async () => (await import("./commands/db-migrate.js")).dbMigrate);
const dbBackup = lazy(async () => (await import("./commands/db-backup.js")).dbBackup);
const dbRestore = lazy(async () => (await import("./commands/db-backup.js")).dbRestore);
const dbClean = lazy(async () => (await import("./commands/db-clean.js")).dbClean);
const dbCopy = lazy(async () => (await import("./commands/db-copy.js")).dbCopy);
const runsList = lazy(async () => (await import("./commands/runs-list.js")).runsList);
const backfillsList = lazy(async () => (await import("./commands/backfills-list.js")).backfillsList);
const backfillsSetPaused = lazy(async () => (await import("./commands/backfills-pause.js")).backfillsSetPaused);
const explain = lazy(async () => (await import("./commands/explain.js")).explain);
const init = lazy(async () => (await import("./commands/init.js")).init);
const api = lazy(async () => (await import("./commands/api.js")).api);
const standalone = lazy(async () => (await import("./commands/standalone.js")).standalone);
const scheduler = lazy(async () => (await import("./commands/scheduler.js")).scheduler);
const worker = lazy(async () => (await import("./commands/worker.js")).worker);
const usersCreate = lazy(async () => (await import("./commands/users.js")).usersCreate);
const usersDelete = lazy(async () => (await import("./commands/users.js")).usersDelete);
const usersList = lazy(async () => (await import("./commands/users.js")).usersList);
const usersSetPassword = lazy(async () => (await import("./commands/users.js")).usersSetPassword);
const tokensCreateCommand = lazy(async () => (await import("./commands/worker-tokens.js")).tokensCreateCommand);
const tokensList = lazy(async () => (await import("./commands/worker-tokens.js")).tokensList);
const tokensRevoke = lazy(async () => (await import("./commands/worker-tokens.js")).tokensRevoke);
const workersList = lazy(async () => (await import("./commands/workers-list.js")).workersList);
const tasksLogs = lazy(async () => (await import("./commands/tasks-logs.js")).tasksLogs);
const tasksTest = lazy(async () => (await import("./commands/tasks-test.js")).tasksTest);
const connectionsAdd = lazy(async () => (await import("./commands/connections.js")).connectionsAdd);
const connectionsDelete = lazy(async () => (await import("./commands/connections.js")).connectionsDelete);
const connectionsGet = lazy(async () => (await import("./commands/connections.js")).connectionsGet);
const connectionsList = lazy(async () => (await import("./commands/connections.js")).connectionsList);
const connectionsTest = lazy(async () => (await import("./commands/connections.js")).connectionsTest);
const variablesDelete = lazy(async () => (await import("./commands/variables.js")).variablesDelete);
const variablesGet = lazy(async () => (await import("./commands/variables.js")).variablesGet);
const variablesList = lazy(async () => (await import("./commands/variables.js")).variablesList);
const variablesSet = lazy(async () => (await import("./commands/variables.js")).variablesSet);

type Action = (...args: never[]) => Promise<number>;

/** Adds the options every command takes (they are also accepted before the command name). */
function common(cmd: Command, listing = false): Command {
  cmd.option("--dags <dir>", "DAGs folder (env BATON_DAGS, default ./dags)");
  cmd.option("--home <dir>", "state folder (env BATON_HOME, default ./.baton)");
  if (listing) cmd.option("--json", "print JSON");
  return cmd;
}

/** Option parser for counts such as `--workers`: a whole number ≥ 1 (kept as text for the config). */
function positiveCount(value: string): string {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError("must be a whole number of at least 1.");
  return value;
}

/** `--workers`: a whole number ≥ 0; 0 runs no local pool (every attempt goes to remote workers). */
function workerCount(value: string): string {
  if (!/^(0|[1-9]\d*)$/.test(value)) throw new InvalidArgumentError("must be a whole number (0: no local pool, remote workers only).");
  return value;
}

/** `--workers` of the scheduling commands (docs/workers.md, "Queues and routing"). */
const WORKERS = [
  "--workers <n>",
  "warm worker processes serving the default queue; 0: none, every task goes to remote workers (env BATON_WORKERS, default one per CPU)",
  workerCount,
] as const;

/** `--metrics-port`: GET /metrics on a port of its own, without auth (docs/metrics.md). */
const METRICS_PORT = [
  "--metrics-port <port>",
  "also serve GET /metrics on this port, without auth (env BATON_METRICS_PORT; host BATON_METRICS_HOST, default the API's)",
] as const;

/**
 * Wraps a command body: positional args + merged options → exit code. `withConfig: false` (`baton
 * worker`): the command reads its own configuration and the server's settings are not loaded.
 */
function run(fn: Action, { withConfig = true } = {}) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    let code: number;
    try {
      const opts = command.optsWithGlobals();
      if (withConfig) exportToEnvironment(loadConfig(opts));
      code = await (fn as (...a: unknown[]) => Promise<number>)(...positional, opts);
    } catch (error) {
      code = exitCodeFor(error);
    }
    process.exitCode = code;
  };
}

export function buildProgram(): Command {
  const program = new Command("baton")
    .description("Baton: data pipelines as TypeScript code, scheduled and run durably.")
    .option("--dags <dir>", "DAGs folder (env BATON_DAGS, default ./dags)")
    .option("--home <dir>", "state folder (env BATON_HOME, default ./.baton)")
    .option("--json", "print JSON")
    .version(batonVersion(), "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride((err) => {
      // Bad usage (unknown command/option, missing argument) exits 2; --help and --version exit 0.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

  program
    .command("init")
    .argument("[dir]", "project folder (default: the current folder; created if missing)")
    .description("create a project: package.json, tsconfig.json, an example DAG and its test (never overwrites a file)")
    .action(run(init, { withConfig: false }));

  const serving = (cmd: Command) =>
    cmd
      .option("--host <host>", "address to listen on (env BATON_API_HOST, default 127.0.0.1)")
      .option("--port <port>", "port (env BATON_API_PORT, default 8080; 0 = any free port)");
  serving(common(program.command("standalone").description("run the scheduler, workers, API and UI on the embedded database")))
    .option("--auth <mode>", "local (no sign-in needed from this machine) or required (env BATON_AUTH, default local)")
    .option(...WORKERS)
    .option(...METRICS_PORT)
    .action(run(standalone));
  serving(common(program.command("api").description("run the REST API and UI only (sign-in required)")))
    .option(...METRICS_PORT)
    .action(run(api));
  common(program.command("scheduler").description("run the scheduler, workers and DAG folder watcher, without the API"))
    .option(...WORKERS)
    .option(...METRICS_PORT)
    .action(run(scheduler));
  program
    .command("worker")
    .description("run tasks of an API server's queues on this machine (a remote worker; no database access)")
    .option("--server <url>", "the API server, http(s)://host[:port] (env BATON_SERVER)")
    .option("--token <token>", "a worker token, batonw_… (env BATON_WORKER_TOKEN; prefer the variable: flags show in ps)")
    .option("--queues <a,b>", "queues to take tasks from, comma-separated (env BATON_QUEUES, default default)")
    .option("--concurrency <n>", "tasks run at once, each in a warm process (env BATON_WORKER_CONCURRENCY, default one per CPU)", positiveCount)
    .option("--prefetch <n>", "most tasks held at once, running or waiting to start (env BATON_WORKER_PREFETCH, default 4 × concurrency)", positiveCount)
    .option("--name <name>", "name shown to operators (default the host name)")
    .option("--cache-dir <dir>", "bundles and log spools (default $BATON_HOME/worker-cache, or ~/.baton/worker-cache)")
    .option("--grace <seconds>", "on SIGTERM/SIGINT, what running tasks get to finish (default 30)")
    .option("--home <dir>", "state folder (env BATON_HOME, default ~/.baton for a worker)")
    .action(run(worker, { withConfig: false }));

  const users = program.command("users").description("users who can sign in to the UI and API");
  common(users.command("create").argument("<username>").description("create a user (prints a generated password unless --password)"), true)
    .option("--role <role>", "viewer, user, op or admin", "viewer")
    .option("--password <password>", "the password (default: generated and printed)")
    .action(run(usersCreate));
  common(users.command("set-password").argument("<username>").description("set or regenerate a password"))
    .option("--password <password>", "the new password (default: generated and printed)")
    .action(run(usersSetPassword));
  common(users.command("list").description("list users"), true).action(run(usersList));
  common(users.command("delete").argument("<username>").description("delete a user and their tokens")).action(run(usersDelete));

  const tokens = program.command("tokens").description("API tokens (a user's) and, with --worker, worker tokens (for `baton worker`)");
  common(tokens.command("create").description("create an API token for a user, or with --worker a worker token, and print it once"), true)
    .option("--worker", "a worker token, for `baton worker --token` (docs/workers.md)")
    .option("--queues <a,b>", "worker token: the queues its workers may listen on (default: any)")
    .option("--user <username>", "API token: whose token (default admin)")
    .option("--name <name>", "what it is for (default: cli; worker tokens: worker)")
    .option("--role <role>", "API token: act with this role (at most the user's)")
    .option("--expires-in-days <n>", "API token: expiry (default: none)")
    .action(run(tokensCreateCommand));
  common(tokens.command("list").description("list API tokens, or with --worker worker tokens and the workers using them (never the secrets)"), true)
    .option("--worker", "worker tokens")
    .action(run(tokensList));
  common(tokens.command("revoke").argument("<id>").description("revoke a worker token (its workers are disconnected) or delete an API token"), true)
    .option("--worker", "only a worker token")
    .action(run(tokensRevoke));

  const workers = program.command("workers").description("remote workers (`baton worker`) connected to the API servers");
  common(workers.command("list").description("workers (active and draining, then others seen in the last 24 h), their load and the queues' depths"), true)
    .option("--since <date>", "also lost and stopped workers last seen since this time (YYYY-MM-DD or ISO date-time; default 24 h ago)")
    .action(run(workersList));

  const dags = program.command("dags").description("list, test, trigger and manage DAGs");
  common(dags.command("list").description("list DAGs"), true).action(run(dagsList));
  common(dags.command("errors").description("list DAG files that failed to load, with file:line (exit 1 when there are any)"), true).action(run(dagsErrors));
  common(dags.command("check").description("type-check the DAG files with the TypeScript compiler (exit 1 on any error)"), true).action(run(dagsCheck));
  common(dags.command("test").argument("<dag>").description("run a whole DAG once in this process against a temporary store"), true)
    .option("--date <date>", "logical date (YYYY-MM-DD or ISO date-time; default now)")
    .option("--conf <json>", "run configuration, validated against the DAG's params")
    .option("--logs", "print the tasks' log lines as they come (default on a terminal)")
    .option("--no-logs", "do not print the tasks' log lines")
    .action(run(dagsTest));
  common(dags.command("trigger").argument("<dag>").description("queue a manual run"), true)
    .option("--conf <json>", "run configuration, validated against the DAG's params")
    .option("--date <date>", "logical date (default now)")
    .option("--run-id <id>", "run id (default manual__<timestamp>)")
    .action(run(dagsTrigger));
  common(dags.command("pause").argument("<dag>").description("stop scheduling new runs"), true).action(
    run((dagId: string, o: object) => dagsSetPaused(dagId, true, o)),
  );
  common(dags.command("unpause").argument("<dag>").description("resume scheduling"), true).action(
    run((dagId: string, o: object) => dagsSetPaused(dagId, false, o)),
  );
  common(
    dags
      .command("delete")
      .argument("<dag>")
      .description("delete a DAG with its runs, task instances, logs and versions (it reappears while its file defines it)"),
    true,
  )
    .option("--yes", "do not ask for confirmation")
    .option("--force", "cancel the DAG's queued and running runs first (the scheduler applies the cancels)")
    .action(run(dagsDelete));
  common(dags.command("backfill").argument("<dag>").description("create runs for a date range, run by the scheduler"), true)
    .requiredOption("--from <date>", "first logical date (inclusive; YYYY-MM-DD or ISO date-time)")
    .requiredOption("--to <date>", "last logical date (inclusive; YYYY-MM-DD or ISO date-time)")
    .option("--reprocess <behavior>", "existing runs: none (keep), failed (re-run failed), completed (re-run all)", "none")
    .option("--rerun-failed", "same as --reprocess failed")
    .option("--max-active-runs <n>", "backfill runs at once (default: the DAG's maxActiveRuns)")
    .option("--conf <json>", "configuration for every run")
    .option("--dry-run", "print the intervals without creating anything")
    .option("--force", "accept a range of more than 1000 runs")
    .action(run(dagsBackfill));

  const backfills = program.command("backfills").description("backfills (created with `dags backfill`) and their progress");
  common(backfills.command("list").description("list backfills, newest first, with their runs by state"), true)
    .option("--dag <dag>", "only this DAG's")
    .action(run(backfillsList));
  common(
    backfills
      .command("pause")
      .argument("<id>", "the backfill's id (see `backfills list`)")
      .description("start none of the backfill's queued runs (running ones finish) until unpaused"),
    true,
  ).action(run((id: string, o: object) => backfillsSetPaused(id, true, o)));
  common(backfills.command("unpause").argument("<id>", "the backfill's id").description("start the backfill's queued runs again"), true).action(
    run((id: string, o: object) => backfillsSetPaused(id, false, o)),
  );

  const runs = program.command("runs").description("DAG runs");
  common(runs.command("list").description("list runs, newest first"), true)
    .option("--dag <dag>", "only this DAG")
    .option("--state <states>", "comma-separated: queued,running,success,failed")
    .option("--limit <n>", "at most this many", "100")
    .action(run(runsList));

  common(
    program
      .command("explain")
      .argument("<dag>")
      .argument("[run]")
      .argument("[task]")
      .description("why a DAG, run or task instance is not running, in plain words"),
    true,
  )
    .option("--map-index <i>", "a copy of a mapped task (default: -1, the task itself)")
    .action(run(explain));

  const tasks = program.command("tasks").description("task instances");
  common(tasks.command("test").argument("<dag>").argument("<task>").description("run one task in this process, ignoring dependencies"), true)
    .option("--date <date>", "logical date (default now)")
    .option("--conf <json>", "params")
    .option("--inputs <json>", "upstream values by input name")
    .option("--from-run <run>", "take the upstream values stored for this run: a run id, or latest (--inputs adds to and overrides them)")
    .option("--map-index <i>", "run this copy of a mapped task: its elements taken from the lists of --from-run's run (or literal lists)")
    .action(run(tasksTest));
  common(tasks.command("logs").argument("<dag>").argument("<run_id>").argument("<task>").description("print an attempt's log"), true)
    .option("--try <n>", "attempt number (default: latest)")
    .option("--map-index <i>", "a copy of a mapped task (default: -1, the task itself)")
    .action(run(tasksLogs));

  const connections = program.command("connections").description("named connections to external systems (encrypted at rest)");
  common(connections.command("add").argument("<id>").description("store a connection, from a URI or from its parts"), true)
    .option("--uri <uri>", "type://login:password@host:port/schema?key=value (- reads it from stdin)")
    .option("--type <type>", "postgres, mysql, http, https, sqlite, s3…")
    .option("--host <host>", "host name or address")
    .option("--port <port>", "port number")
    .option("--login <login>", "user name")
    .option("--password <password>", "password (- reads it from stdin)")
    .option("--schema <schema>", "database, path or bucket")
    .option("--extra <json>", "extra fields as a JSON object")
    .option("--description <text>", "what it is for")
    .action(run(connectionsAdd));
  common(connections.command("list").description("list connections (passwords never shown)"), true).action(run(connectionsList));
  common(connections.command("get").argument("<id>").description("show a connection as tasks would get it (password masked)"), true)
    .option("--reveal", "print the password and sensitive extras")
    .action(run(connectionsGet));
  common(connections.command("delete").argument("<id>").description("delete a stored connection")).action(run(connectionsDelete));
  common(connections.command("test").argument("<id>").description("try to connect (postgres, mysql, http(s), sqlite)"), true).action(run(connectionsTest));

  const variables = program.command("variables").description("named values for tasks (encrypted at rest)");
  common(variables.command("set").argument("<key>").argument("<value>").description("store a variable (value - reads stdin)"), true)
    .option("--description <text>", "what it is for")
    .action(run(variablesSet));
  common(variables.command("get").argument("<key>").description("print a variable (masked when the key looks secret)"), true)
    .option("--reveal", "print a secret value")
    .action(run(variablesGet));
  common(variables.command("list").description("list variables (secret-looking values masked)"), true).action(run(variablesList));
  common(variables.command("delete").argument("<key>").description("delete a stored variable")).action(run(variablesDelete));

  const audit = program.command("audit").description("the audit trail: who changed what, and when");
  common(audit.command("list").description("audit entries, newest first"), true)
    .option("--actor <name>", "only this actor (a username, local, cli:<os user>, webhook)")
    .option("--action <action>", "only this action (run.trigger), or a prefix ending in .* (run.*)")
    .option("--dag <dag>", "only entries about this DAG")
    .option("--target <id>", "only this target (run id, pool, connection, user …)")
    .option("--since <date>", "at or after (YYYY-MM-DD or ISO date-time; UTC without an offset)")
    .option("--until <date>", "before (YYYY-MM-DD or ISO date-time; UTC without an offset)")
    .option("--limit <n>", "at most this many (default 50)")
    .action(run(auditList));

  const db = program.command("db").description("database");
  common(db.command("migrate").description("create or upgrade the schema")).action(run(dbMigrate));
  common(
    db.command("backup").argument("<file>").description("copy the SQLite database to a file while Baton runs (PostgreSQL: prints the pg_dump recipe)"),
    true,
  )
    .option("--force", "overwrite an existing file")
    .action(run(dbBackup));
  common(
    db.command("restore").argument("<file>").description("replace the SQLite database with a backup and migrate it (not while a scheduler runs on it)"),
    true,
  )
    .option("--force", "replace a database that already holds data")
    .action(run(dbRestore));
  common(db.command("clean").description("delete finished runs older than a duration, with their task instances, attempts and logs (in batches)"), true)
    .requiredOption("--older-than <duration>", "runs that ended longer ago than this: 90d, 12h, 2w …")
    .option("--dag <dag>", "only this DAG's runs")
    .option("--dry-run", "print what would be deleted, delete nothing")
    .action(run(dbClean));
  common(
    db
      .command("copy")
      .description("copy every table of the SQLite database into an empty PostgreSQL database, then compare counts (not while a scheduler runs on it)"),
    true,
  )
    .requiredOption("--to <url>", "the PostgreSQL database: postgres://user:pass@host:5432/db")
    .action(run(dbCopy));
  return program;
}

installCrashHandlers();
await buildProgram().parseAsync(process.argv);
