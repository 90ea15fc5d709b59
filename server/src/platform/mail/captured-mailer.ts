import type { PrismaClient } from "../../generated/prisma/client.js";
import type { Mailer } from "./mailer.js";

/**
 * The embedded default: mail is stored in the `CapturedMail` table instead of sent, so development
 * and tests can read exactly what a user would have received.
 */
export function createCapturedMailer(db: PrismaClient): Mailer {
  return {
    async send(mail) {
      await db.capturedMail.create({ data: mail });
    },
    async close() {},
  };
}
