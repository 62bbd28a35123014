/**
 * An HTTP handler for SDK clients in tests: records each request the SDK would send and answers
 * it with a canned IAM response, so that nothing leaves the process.
 */
import { Readable } from 'node:stream';

export interface RecordedRequest {
  /** the IAM (query protocol) Action of the request */
  action: string;
  body: string;
}

export interface FakeAnswer {
  status: number;
  body: string;
}

/** IAM's query-protocol error document. */
export const iamErrorXml = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
  `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;

export const listUsersXml = (users: { name: string; arn: string }[]) =>
  `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>` +
  `<IsTruncated>false</IsTruncated><Users>${users
    .map(
      (u) =>
        `<member><Path>/</Path><UserName>${u.name}</UserName><UserId>AIDAEXAMPLE${u.name.length}</UserId>` +
        `<Arn>${u.arn}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></member>`,
    )
    .join(
      '',
    )}</Users></ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>`;

export class FakeIamHandler {
  readonly requests: RecordedRequest[] = [];

  constructor(private readonly answer: (action: string) => FakeAnswer = () => ({ status: 200, body: '' })) {}

  async handle(request: { body?: unknown }): Promise<{ response: object }> {
    const body = typeof request.body === 'string' ? request.body : '';
    const action = new URLSearchParams(body).get('Action') ?? '';
    this.requests.push({ action, body });
    const { status, body: text } = this.answer(action);
    return {
      response: {
        statusCode: status,
        headers: { 'content-type': 'text/xml' },
        body: Readable.from([Buffer.from(text, 'utf8')]),
      },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): object {
    return {};
  }
}
