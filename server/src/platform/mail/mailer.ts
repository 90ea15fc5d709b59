/** An email as the app composes it; drivers decide how it leaves. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail: captured in the database by default, through SMTP when SMTP_URL is set. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}
