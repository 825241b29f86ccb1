import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { loadOptional } from "../../core/optional-module.js";

/** The nodemailer SMTP options of an `smtp`/`smtps` connection. */
export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  requireTLS?: boolean;
}

/**
 * `smtp` (plain, STARTTLS when offered; extra `requireTLS=true` to insist) or `smtps` (TLS from
 * the start). Port defaults to 587 / 465; login/password authenticate when given.
 */
export function smtpOptions(conn: Connection): SmtpOptions {
  const type = conn.type.toLowerCase();
  if (type !== "smtp" && type !== "smtps") throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; sendEmail supports: smtp, smtps`);
  const secure = type === "smtps";
  const options: SmtpOptions = { host: conn.host ?? "127.0.0.1", port: conn.port ?? (secure ? 465 : 587), secure };
  if (conn.login !== null) options.auth = { user: conn.login, pass: conn.password ?? "" };
  if (conn.extra.requireTLS === "true") options.requireTLS = true;
  return options;
}

/** The sender: the option, else the connection's extra `from`, else its login; fails when none. */
export function senderOf(conn: Connection, from: string | undefined): string {
  const sender = from ?? conn.extra.from ?? conn.login;
  if (sender === undefined || sender === null || sender === "") {
    throw new FailTask(`connection "${conn.id}": no sender; set the option from, or the connection's extra "from"`);
  }
  return sender;
}

/**
 * An SMTP transport. nodemailer is an optional peer dependency (docs/install.md), loaded on the
 * first e-mail: when it is not installed this throws a MissingPackageError ("E-mail needs
 * nodemailer: npm install nodemailer"), which fails a task at once.
 */
export async function createSmtpTransport(
  options: SmtpOptions & { connectionTimeout?: number; greetingTimeout?: number; socketTimeout?: number },
): Promise<Transporter<SMTPTransport.SentMessageInfo>> {
  const { default: nodemailer } = await loadOptional("E-mail", ["nodemailer"], () => import("nodemailer"));
  return nodemailer.createTransport(options);
}
