/** One email through SES, HTML and plain text. */
import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';

export interface OutgoingEmail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** the SES configuration set to send with (the sesConfigurationSet setting), or null */
  configurationSet: string | null;
}

export async function sendEmail(ses: SESClient, email: OutgoingEmail): Promise<void> {
  await ses.send(
    new SendEmailCommand({
      Source: email.from,
      Destination: { ToAddresses: email.to },
      ...(email.configurationSet !== null ? { ConfigurationSetName: email.configurationSet } : {}),
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
      },
    }),
  );
}
