import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";

// A real SMTP server on 127.0.0.1 (random port), fed by a DAG run with the real binary (needs `npm run build`).
interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

let root: string;
let server: SMTPServer | null = null;
let port = 0;
let unavailable: string | null = null;
const received: Received[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "baton-email-ops-"));
  const s = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "etl" && auth.password === "s@cret") callback(null, { user: auth.username });
      else callback(new Error("bad credentials"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => {
    s.once("error", (e) => {
      unavailable = `cannot listen on 127.0.0.1: ${e.message}`;
      resolve();
    });
    s.listen(0, "127.0.0.1", () => resolve());
  });
  if (!unavailable) {
    server = s;
    port = (s.server.address() as AddressInfo).port;
  }
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

describe("sendEmail through the real binary", () => {
  it("sends a templated mail with an attachment, authenticating with the connection's login", async (t) => {
    if (unavailable) {
      console.warn(`skipping sendEmail test: ${unavailable}`);
      return t.skip();
    }
    const dir = join(root, "mail");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "report-20260102.csv"), "region,total\nnorth,42\n");
    const t2 = JSON.stringify;
    writeFileSync(
      join(dir, "mail.ts"),
      `import { dag } from "baton";
import { sendEmail } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "mail" }, (d) => {
  const sent = sendEmail(d, "report", { conn: ${t2(`smtp://etl:s%40cret@127.0.0.1:${port}?from=baton%40example.com`)},
    to: ["team@example.com"], cc: "boss@example.com", subject: "Sales for {{ ds }}", text: "Run {{ run_id }} of {{ dag_id }}",
    html: "<p>Sales for <b>{{ ds }}</b></p>", attachments: [{ path: ${t2(join(dir, "report-{{ ds_nodash }}.csv"))} }] });
  d.task("record", { inputs: { sent } }, (ctx, v) => { writeFileSync(${t2(join(dir, "recorded.json"))}, JSON.stringify(v)); });
});
`,
    );
    const r = await baton(["dags", "test", "mail", "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"]);
    const out = batonJson<{ state: string; tasks: { taskId: string; state: string; error?: string }[] }>(r);
    expect(out.tasks.filter((x) => x.state !== "success")).toEqual([]);
    expect(out.state).toBe("success");
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail).toMatchObject({ from: "baton@example.com", to: ["team@example.com", "boss@example.com"], user: "etl" });
    expect(mail.raw).toMatch(/^Subject: Sales for 2026-01-02\r?$/m);
    expect(mail.raw).toMatch(/Run manual__\S+ of mail/);
    expect(mail.raw).toMatch(/filename=report-20260102\.csv/);
    const csv = "region,total\nnorth,42\n";
    expect(mail.raw.includes(Buffer.from(csv).toString("base64")) || mail.raw.includes("north,42")).toBe(true);
  });
});
