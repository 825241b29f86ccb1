import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, ROOT } from "../../../test/e2e/baton-cli.js";

// nodemailer is an optional peer dependency (docs/install.md). This repository installs it, so a
// resolve hook makes Node answer as it does where it is not installed: ERR_MODULE_NOT_FOUND,
// "Cannot find package 'nodemailer'". test/package/npm-pack.test.ts checks the same in a real
// install without it. Both run the compiled code (needs `npx tsc -p tsconfig.build.json`).

const HOOKS = `export async function resolve(s, c, next) {
  if (s === "nodemailer" || s.startsWith("nodemailer/")) throw Object.assign(new Error("Cannot find package 'nodemailer' imported from " + c.parentURL), { code: "ERR_MODULE_NOT_FOUND" });
  return next(s, c);
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;
const WITHOUT_NODEMAILER = `--import=data:text/javascript,${encodeURIComponent(REGISTER)}`;
const MESSAGE = "E-mail needs nodemailer: npm install nodemailer";

const root = mkdtempSync(join(tmpdir(), "baton-no-nodemailer-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("e-mail without nodemailer installed", () => {
  it("a sendEmail task fails at its first attempt, naming the package, and does not use its retries", async () => {
    const dags = join(root, "dags");
    mkdirSync(dags);
    writeFileSync(
      join(dags, "mail.ts"),
      `import { dag } from "baton";
import { sendEmail } from "baton/operators";
export default dag({ id: "mail_without_nodemailer" }, (d) => {
  sendEmail(d, "tell", { conn: "smtp://127.0.0.1:9?from=baton%40example.com", to: "ops@example.com", subject: "s", text: "t", retries: 3, retryDelay: "1s" });
});
`,
    );
    const r = await baton(["dags", "test", "mail_without_nodemailer", "--dags", dags, "--home", join(root, "home"), "--json"], {
      NODE_OPTIONS: WITHOUT_NODEMAILER,
    });
    expect(r.code).toBe(1);
    const out = batonJson<{ state: string; tasks: { taskId: string; state: string; attempts: number; error?: string }[] }>(r);
    expect(out.state).toBe("failed");
    expect(out.tasks).toEqual([expect.objectContaining({ taskId: "tell", state: "failed", attempts: 1, error: MESSAGE })]);
  });

  it("the e-mail notifier's delivery fails at once (not retried), naming the package", async () => {
    const dist = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, "dist", "src", path)).href);
    const script = `
      const { emailNotifier } = await import(${dist("alerts/notifiers/email-notifier.js")});
      const { parseConnectionUri } = await import(${dist("core/secrets/connection-uri.js")});
      const { sampleAlert } = await import(${dist("alerts/testing/stand-in-server.js")});
      const request = {
        deliveryId: 1,
        declaration: { notifier: "email", connection: "mail", options: { to: "ops@example.com" } },
        alert: sampleAlert(),
        connection: parseConnectionUri("mail", "smtp://127.0.0.1:9?from=baton%40example.com"),
      };
      const e = await emailNotifier.send(request).then(() => null, (x) => x);
      console.log(JSON.stringify({ name: e?.constructor.name, retryable: e?.retryable, message: e?.message }));`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [WITHOUT_NODEMAILER, "--input-type=module", "-e", script], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(JSON.parse(out)).toEqual({ name: "DeliveryError", retryable: false, message: MESSAGE });
  });
});
