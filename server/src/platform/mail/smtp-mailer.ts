import nodemailer from "nodemailer";
import type { Mailer } from "./mailer.js";

/** Sends through an SMTP server, e.g. `smtp://user:pass@mail.example:587` (STARTTLS when offered). */
export function createSmtpMailer(opts: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.url);
  return {
    async send(mail) {
      await transport.sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    async close() {
      transport.close();
    },
  };
}
