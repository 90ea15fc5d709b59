import { sendWelcomeEmail, WELCOME_EMAIL_JOB } from "./modules/auth/welcome-email.js";
import type { Deps } from "./platform/deps.js";

/** Every module's background-job handlers, registered on the queue (the job twin of router.ts). */
export function registerJobHandlers(deps: Deps) {
  deps.jobs.handle(WELCOME_EMAIL_JOB, sendWelcomeEmail(deps));
}
