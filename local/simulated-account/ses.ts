/**
 * The SES of a simulated account: SendEmail checks its parameters and identities as SES does and
 * captures each message.
 * - The sender must be a verified identity: its address, or its domain. SES authorizes the call on
 *   that identity's ARN (the address identity when the address itself is verified, else the
 *   domain's), and on the configuration set's ARN when the message names one.
 * - In the sandbox every recipient must be verified too, and SES authorizes the call on each
 *   recipient's identity ARN as well (an unverified one is rejected with MessageRejected).
 */
import {
  ConfigurationSetDoesNotExistException,
  MessageRejected,
  type SendEmailCommandInput,
  type SendEmailCommandOutput,
} from '@aws-sdk/client-ses';
import { sesError } from './aws-errors';
import type { AuthorizationRequest } from './permissions';

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

/** The SES settings of an account: verified identities (addresses or domains), sandbox, configuration sets. */
export interface SesSetup {
  verifiedIdentities: string[];
  sandbox: boolean;
  configurationSets?: string[];
}

/** SES's limit of recipients (To, Cc and Bcc together) in one message. */
export const MAX_RECIPIENTS = 50;

type Output<T> = Omit<T, '$metadata'>;

/** The address of `Name <address>` or of a bare address, lower-cased as SES compares them. */
function addressOf(text: string): string {
  const angle = /<([^>]+)>\s*$/.exec(text);
  return (angle ? angle[1] : text)?.trim().toLowerCase() ?? '';
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

export class SimulatedSes {
  readonly emails: SentEmail[] = [];
  private messageCount = 0;
  private readonly verified: Set<string>;
  private readonly configurationSets: Set<string>;

  constructor(
    private readonly setup: SesSetup,
    private readonly region: string,
    private readonly accountId: string,
  ) {
    this.verified = new Set(setup.verifiedIdentities.map((identity) => identity.toLowerCase()));
    this.configurationSets = new Set(setup.configurationSets ?? []);
  }

  get sandbox(): boolean {
    return this.setup.sandbox;
  }

  /** The verified identity that covers an address (the address itself first, then its domain), if any. */
  identityOf(address: string): string | undefined {
    const a = addressOf(address);
    if (this.verified.has(a)) return a;
    const domain = domainOf(a);
    return this.verified.has(domain) ? domain : undefined;
  }

  identityArn(identity: string): string {
    return `arn:aws:ses:${this.region}:${this.accountId}:identity/${identity}`;
  }

  /** What SES authorizes a SendEmail on: the sender's identity, each recipient's in the sandbox, the configuration set. */
  authorizationsFor(input: SendEmailCommandInput): AuthorizationRequest[] {
    const source = input.Source ?? '';
    const recipients = recipientsOf(input);
    const context = {
      'ses:FromAddress': addressOf(source),
      'ses:Recipients': recipients.map(addressOf),
      'ses:ApiVersion': '1',
    };
    // An address no verified identity covers is answered with MessageRejected (sendEmail), not
    // with a denial: there is no identity to authorize on.
    const identities = [source, ...(this.setup.sandbox ? recipients : [])].flatMap((address) => {
      const identity = this.identityOf(address);
      return identity === undefined ? [] : [identity];
    });
    const requests: AuthorizationRequest[] = [...new Set(identities)].map((identity) => ({
      action: 'ses:SendEmail',
      resource: this.identityArn(identity),
      context,
    }));
    if (input.ConfigurationSetName !== undefined) {
      requests.push({
        action: 'ses:SendEmail',
        resource: `arn:aws:ses:${this.region}:${this.accountId}:configuration-set/${input.ConfigurationSetName}`,
        context,
      });
    }
    return requests;
  }

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
    const source = input.Source as string;
    const unverified = [source, ...(this.setup.sandbox ? recipientsOf(input) : [])].filter(
      (address) => this.identityOf(address) === undefined,
    );
    if (unverified.length > 0) {
      throw new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region ${this.region.toUpperCase()}: ${unverified.join(', ')}`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (input.ConfigurationSetName !== undefined && !this.configurationSets.has(input.ConfigurationSetName)) {
      throw new ConfigurationSetDoesNotExistException({
        message: `Configuration set <${input.ConfigurationSetName}> does not exist.`,
        ConfigurationSetName: input.ConfigurationSetName,
        $metadata: { httpStatusCode: 400 },
      });
    }
    const email: SentEmail = {
      from: source,
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

function recipientsOf(input: SendEmailCommandInput): string[] {
  const d = input.Destination;
  return [...(d?.ToAddresses ?? []), ...(d?.CcAddresses ?? []), ...(d?.BccAddresses ?? [])];
}
