import { z } from "zod";
import type { Deps } from "../../platform/deps.js";
import type { JobHandler } from "../../platform/jobs/job-queue.js";

/** Job kind of the welcome email, enqueued in the same transaction that creates the user. */
export const WELCOME_EMAIL_JOB = "auth.welcome-email";

export const WelcomeEmailPayload = z.object({ userId: z.number().int() });

/**
 * Sends the welcome email. Runs in the background, so sign-up never waits for (or fails with) the
 * mail server; a failed send is retried by the job queue.
 */
export function sendWelcomeEmail({ db, mailer }: Pick<Deps, "db" | "mailer">): JobHandler {
  return async (job) => {
    const { userId } = WelcomeEmailPayload.parse(job.payload);
    const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
    if (!user) return; // deleted before we got to it: nobody to welcome
    await mailer.send({
      to: user.email,
      subject: "Welcome to Trellis",
      text: `Hello ${user.name},\n\nyour Trellis account is ready. Sign in with ${user.email}.\n`,
    });
  };
}
