import { describe, expect, it } from "vitest";
import type { Connection } from "../../core/model/connection.js";
import { dag } from "../../sdk/index.js";
import { sendEmail } from "./send-email.js";
import { senderOf, smtpOptions } from "./smtp-transport.js";

const conn = (c: Partial<Connection>): Connection => ({
  id: "mail",
  type: "smtp",
  host: "mx",
  port: null,
  login: null,
  password: null,
  schema: null,
  extra: {},
  ...c,
});

describe("sendEmail options", () => {
  it("maps smtp and smtps connections to nodemailer options", () => {
    expect(smtpOptions(conn({}))).toEqual({ host: "mx", port: 587, secure: false });
    expect(smtpOptions(conn({ type: "smtps", login: "u", password: "p", extra: { requireTLS: "true" } }))).toEqual({
      host: "mx",
      port: 465,
      secure: true,
      auth: { user: "u", pass: "p" },
      requireTLS: true,
    });
    expect(() => smtpOptions(conn({ type: "http" }))).toThrow(/type "http"; sendEmail supports: smtp, smtps/);
  });

  it("takes the sender from the option, else extra from, else the login", () => {
    expect(senderOf(conn({ login: "u@x", extra: { from: "f@x" } }), "o@x")).toBe("o@x");
    expect(senderOf(conn({ login: "u@x", extra: { from: "f@x" } }), undefined)).toBe("f@x");
    expect(senderOf(conn({ login: "u@x" }), undefined)).toBe("u@x");
    expect(() => senderOf(conn({}), undefined)).toThrow(/no sender/);
  });

  it("are checked when the DAG file loads", () => {
    const declare = (options: unknown) => dag({ id: "mail_options" }, (d) => void sendEmail(d, "m", options as never));
    expect(() => declare({ conn: "smtp://h", to: [], subject: "s", text: "t" })).toThrow(/to must be an address or a non-empty list/);
    expect(() => declare({ conn: "smtp://h", to: "a@x", subject: "s" })).toThrow(/give text, html or both/);
    expect(() => declare({ conn: "smtp://h", to: "a@x", subject: "s", text: "t", attachments: [{ file: "x" }] })).toThrow(
      /attachments\[0\] must be \{ path, filename\? \}/,
    );
    expect(() => declare({ conn: "smtp://h", to: "a@x", subject: "s", text: "t", body: "b" })).toThrow(
      /unknown option "body"; valid options: conn, to, cc, bcc, from, subject, text, html, attachments/,
    );
    expect(() =>
      declare({
        conn: "smtp://h",
        to: "a@x",
        cc: ["b@x"],
        subject: "s",
        html: "<p>h</p>",
        attachments: [{ path: "/tmp/a.csv", filename: "a.csv" }],
        retries: 1,
      }),
    ).not.toThrow();
  });
});
