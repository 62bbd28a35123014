/** The SES of a simulated account: SendEmail checks its parameters as SES does and captures each message. */
import type { SendEmailCommandInput, SendEmailCommandOutput } from '@aws-sdk/client-ses';
import { sesError } from './aws-errors';

export interface SentEmail {
  from: string;
  /** Destination.ToAddresses. */
  to: string[];
  /** Destination.CcAddresses, when any. */
  cc?: string[];
  /** Destination.BccAddresses, when any. */
  bcc?: string[];
  subject: string;
  html: string;
  text: string;
}

/** SES's limit of recipients (To, Cc and Bcc together) in one message. */
export const MAX_RECIPIENTS = 50;

type Output<T> = Omit<T, '$metadata'>;

export class SimulatedSes {
  readonly emails: SentEmail[] = [];
  private messageCount = 0;

  sendEmail(input: SendEmailCommandInput): Output<SendEmailCommandOutput> {
    const to = input.Destination?.ToAddresses ?? [];
    const cc = input.Destination?.CcAddresses ?? [];
    const bcc = input.Destination?.BccAddresses ?? [];
    const subject = input.Message?.Subject?.Data;
    const html = input.Message?.Body?.Html?.Data;
    const text = input.Message?.Body?.Text?.Data;
    const recipients = to.length + cc.length + bcc.length;
    const problem = !input.Source
      ? 'Missing required parameter Source'
      : recipients === 0
        ? 'The message has no recipients (Destination is empty)'
        : recipients > MAX_RECIPIENTS
          ? 'Recipient count exceeds 50.'
          : subject === undefined
            ? 'Missing required parameter Message.Subject'
            : html === undefined && text === undefined
              ? 'Missing required parameter Message.Body'
              : undefined;
    if (problem !== undefined) throw sesError('InvalidParameterValue', problem);
    const email: SentEmail = {
      from: input.Source as string,
      to: [...to],
      subject: subject as string,
      html: html ?? '',
      text: text ?? '',
    };
    if (cc.length > 0) email.cc = [...cc];
    if (bcc.length > 0) email.bcc = [...bcc];
    this.emails.push(email);
    this.messageCount++;
    return { MessageId: `0100019a${String(this.messageCount).padStart(8, '0')}-simulated-000000` };
  }
}
