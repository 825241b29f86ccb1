import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { createSmtpTransport, senderOf, smtpOptions } from "./smtp-transport.js";

export interface EmailAttachment {
  /** A file to attach (a template): absolute, or relative to the worker's working directory; read when the task runs. */
  path: string;
  /** The name shown; default the file's name. */
  filename?: string;
}

export interface SendEmailOptions extends OperatorTaskOptions {
  /** A connection id or URI of type smtp or smtps (extra `from` is the default sender). */
  conn: string;
  /** Recipients (templates). */
  to: string | readonly string[];
  cc?: string | readonly string[];
  bcc?: string | readonly string[];
  /** Default: the connection's extra `from`, else its login. */
  from?: string;
  /** A template. */
  subject: string;
  /** Plain-text body (a template). Give text, html or both. */
  text?: string;
  /** HTML body (a template). */
  html?: string;
  attachments?: readonly EmailAttachment[];
}

/** The value of a `sendEmail` task. */
export interface SendEmailResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

const OWN_KEYS = ["conn", "to", "cc", "bcc", "from", "subject", "text", "html", "attachments"] as const;

/**
 * A task sending one e-mail over SMTP. Subject, bodies, recipients and attachment paths are templates.
 *
 * @example
 * sendEmail(d, "report", { conn: "mail", to: "team@example.com", subject: "Sales for {{ ds }}", text: "See attached.", attachments: [{ path: "/exports/sales-{{ ds_nodash }}.csv" }] });
 */
export function sendEmail<P>(d: DagBuilder<P>, id: string, options: SendEmailOptions): TaskRef<SendEmailResult> {
  const where = `sendEmail("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with conn, to and subject`);
  if (typeof options.conn !== "string" || options.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  for (const key of ["to", "cc", "bcc"] as const) checkAddresses(where, key, options[key], key === "to");
  if (typeof options.subject !== "string") throw new InvalidInputError(`${where}: subject must be a string`);
  if (options.text === undefined && options.html === undefined) throw new InvalidInputError(`${where}: give text, html or both`);
  for (const key of ["text", "html", "from"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") throw new InvalidInputError(`${where}: ${key} must be a string`);
  }
  if (options.attachments !== undefined) {
    if (!Array.isArray(options.attachments)) throw new InvalidInputError(`${where}: attachments must be an array of { path, filename? }`);
    options.attachments.forEach((a: unknown, i) => {
      const o = a as Partial<EmailAttachment> | null;
      if (typeof o !== "object" || o === null || typeof o.path !== "string" || o.path === "" || (o.filename !== undefined && typeof o.filename !== "string")) {
        throw new InvalidInputError(`${where}: attachments[${i}] must be { path, filename? } with a non-empty path`);
      }
    });
  }
  return declareOperator(d, "sendEmail", id, options, OWN_KEYS, async (ctx, o): Promise<SendEmailResult> => {
    const render = templateRenderer(ctx);
    const list = (v: string | readonly string[] | undefined) => (v === undefined ? undefined : (typeof v === "string" ? [v] : [...v]).map(render));
    const conn = await resolveConnection(ctx, o.conn);
    const transport = await createSmtpTransport(smtpOptions(conn));
    try {
      const info = await transport.sendMail({
        from: senderOf(conn, o.from === undefined ? undefined : render(o.from)),
        to: list(o.to),
        cc: list(o.cc),
        bcc: list(o.bcc),
        subject: render(o.subject),
        text: o.text === undefined ? undefined : render(o.text),
        html: o.html === undefined ? undefined : render(o.html),
        attachments: o.attachments?.map((a) => ({ path: render(a.path), ...(a.filename === undefined ? {} : { filename: render(a.filename) }) })),
      });
      const addresses = (v: unknown[] | undefined) => (v ?? []).map((x) => (typeof x === "string" ? x : (x as { address: string }).address));
      ctx.log.info(`sent e-mail ${info.messageId}`, { accepted: info.accepted.length, rejected: info.rejected.length });
      return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
    } finally {
      transport.close();
    }
  });
}

function checkAddresses(where: string, key: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  const ok = (typeof value === "string" && value !== "") || (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== ""));
  if (!ok) throw new InvalidInputError(`${where}: ${key} must be an address or a non-empty list of addresses`);
}
