import nodemailer from 'nodemailer';

export type OutgoingEmail = { to: string; subject: string; text: string };

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** Sends through the SMTP server in VIGIL_SMTP_URL (smtp:// or smtps://), or returns null when none is set. */
export function createMailer(smtpUrl: string | undefined, from: string): Mailer | null {
  if (!smtpUrl) return null;
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
    },
    close() {
      transport.close();
    },
  };
}
