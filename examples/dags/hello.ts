/**
 * hello — the smallest DAG: a validated param with a default, rendered into a shell command.
 *
 *   npx baton dags test hello --dags examples/dags --conf '{"name":"Ada"}'
 *
 * Params are checked against the schema before the run starts, so a conf such as
 * `{"name":"$(rm -rf ~)"}` is refused and never reaches the shell.
 */
import { dag, z } from "baton";

export default dag(
  {
    id: "hello",
    description: "Says hello to params.name.",
    schedule: null,
    startDate: "2026-01-01",
    tags: ["example"],
    params: z.object({
      name: z
        .string()
        .regex(/^[\w .-]{1,40}$/, "name: 1 to 40 letters, digits, spaces, '.', '_' or '-'")
        .default("world"),
    }),
  },
  (d) => {
    const greet = d.shell("greet", { command: 'echo "Hello, {{ params.name }}!"' });
    d.task("shout", { after: [greet] }, async (ctx) => {
      const text = `HELLO, ${ctx.params.name.toUpperCase()}!`;
      ctx.log.info(text);
      return text;
    });
  },
);
