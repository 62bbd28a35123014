/**
 * Where the functions' SDK clients send their calls. Nothing is sent: a middleware at the end of
 * the build step records the HTTP request the SDK made (endpoint resolved, bucket addressed) and
 * stops the call there.
 */
import { GetUserCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand } from '@aws-sdk/client-ses';
import { hasEndpointFromEnv, s3ClientConfig } from '../../../functions/shared/endpoint-config';

const ENDPOINT_VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SES',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
];

interface SentRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}

class Captured extends Error {
  constructor(readonly request: SentRequest) {
    super('request captured');
  }
}

/** The one overload of an SDK client's middlewareStack.add this test uses. */
interface BuildStepStack {
  add(
    middleware: (next: never) => (args: { request: unknown }) => Promise<never>,
    options: { step: 'build'; priority: 'low' },
  ): void;
}

/** The request `send` makes with `client`, as a URL. */
async function requestOf(client: { middlewareStack: object }, send: () => Promise<unknown>): Promise<string> {
  (client.middlewareStack as BuildStepStack).add(
    () => async (args) => {
      throw new Captured(args.request as SentRequest);
    },
    { step: 'build', priority: 'low' },
  );
  try {
    await send();
  } catch (error) {
    if (!(error instanceof Captured)) throw error;
    const { protocol, hostname, port, path } = error.request;
    return `${protocol}//${hostname}${port === undefined ? '' : `:${port}`}${path}`;
  }
  throw new Error('the request was not captured');
}

/** clients.ts as a Lambda container loads it, with `env` set at load. */
async function loadClients(env: Record<string, string>) {
  Object.assign(process.env, env);
  let clients: typeof import('../../../functions/shared/clients') | undefined;
  await jest.isolateModulesAsync(async () => {
    clients = await import('../../../functions/shared/clients');
  });
  if (!clients) throw new Error('clients.ts did not load');
  return clients;
}

const getObject = new GetObjectCommand({ Bucket: 'keysweep-reports', Key: 'runs/report.json' });

describe('the functions’ SDK clients', () => {
  const saved = Object.fromEntries(ENDPOINT_VARS.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    for (const name of ENDPOINT_VARS) delete process.env[name];
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('go to AWS, S3 virtual-hosted, when no endpoint is configured', async () => {
    const { iam, s3, ses } = await loadClients({});
    expect(await requestOf(iam, () => iam.send(new GetUserCommand({})))).toBe('https://iam.amazonaws.com/');
    expect(await requestOf(s3, () => s3.send(getObject))).toBe(
      'https://keysweep-reports.s3.us-east-1.amazonaws.com/runs/report.json',
    );
    expect(await requestOf(ses, () => ses.send(new GetSendQuotaCommand({})))).toBe(
      'https://email.us-east-1.amazonaws.com/',
    );
  });

  // clients.ts passes no endpoint: the SDK itself reads the environment.
  it('all go to AWS_ENDPOINT_URL, read by the SDK itself, with S3 addressed by path', async () => {
    const { iam, s3, ses } = await loadClients({ AWS_ENDPOINT_URL: 'http://localhost:4566' });
    expect(await requestOf(iam, () => iam.send(new GetUserCommand({})))).toBe('http://localhost:4566/');
    expect(await requestOf(s3, () => s3.send(getObject))).toBe(
      'http://localhost:4566/keysweep-reports/runs/report.json',
    );
    expect(await requestOf(ses, () => ses.send(new GetSendQuotaCommand({})))).toBe('http://localhost:4566/');
  });

  it('each go to its AWS_ENDPOINT_URL_<SERVICE> when set, before AWS_ENDPOINT_URL', async () => {
    const { iam, s3, ses } = await loadClients({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:5001',
      AWS_ENDPOINT_URL_S3: 'http://localhost:5002',
    });
    expect(await requestOf(iam, () => iam.send(new GetUserCommand({})))).toBe('http://127.0.0.1:5001/');
    expect(await requestOf(s3, () => s3.send(getObject))).toBe(
      'http://localhost:5002/keysweep-reports/runs/report.json',
    );
    expect(await requestOf(ses, () => ses.send(new GetSendQuotaCommand({})))).toBe('http://127.0.0.1:4566/');
  });

  it('address S3 by path with only AWS_ENDPOINT_URL_S3 set, and leave IAM at AWS', async () => {
    const { iam, s3 } = await loadClients({ AWS_ENDPOINT_URL_S3: 'http://localhost:5002' });
    expect(await requestOf(s3, () => s3.send(getObject))).toBe(
      'http://localhost:5002/keysweep-reports/runs/report.json',
    );
    expect(await requestOf(iam, () => iam.send(new GetUserCommand({})))).toBe('https://iam.amazonaws.com/');
  });

  it('ignore the endpoint, as the SDK does, under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true', async () => {
    const { iam, s3 } = await loadClients({
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(await requestOf(iam, () => iam.send(new GetUserCommand({})))).toBe('https://iam.amazonaws.com/');
    expect(await requestOf(s3, () => s3.send(getObject))).toBe(
      'https://keysweep-reports.s3.us-east-1.amazonaws.com/runs/report.json',
    );
  });

  it('need path style for a localhost endpoint: a plain S3 client puts the bucket in the host', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    const plain = new S3Client({});
    expect(await requestOf(plain, () => plain.send(getObject))).toBe(
      'http://keysweep-reports.localhost:4566/runs/report.json',
    );
  });
});

describe('s3ClientConfig', () => {
  it.each([
    [{}, {}],
    [{ AWS_ENDPOINT_URL: 'http://localhost:4566' }, { forcePathStyle: true }],
    [{ AWS_ENDPOINT_URL_S3: 'http://localhost:4566' }, { forcePathStyle: true }],
    [{ AWS_ENDPOINT_URL_IAM: 'http://localhost:4566' }, {}],
    [{ AWS_ENDPOINT_URL: '' }, {}],
    [{ AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, {}],
    [
      { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' },
      { forcePathStyle: true },
    ],
  ])('%j → %j', (env, expected) => {
    expect(s3ClientConfig(env)).toEqual(expected);
  });

  it('reads process.env by default', () => {
    const before = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = 'http://localhost:4566';
    try {
      expect(s3ClientConfig()).toEqual({ forcePathStyle: true });
      expect(hasEndpointFromEnv(process.env, 'S3')).toBe(true);
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
      else process.env.AWS_ENDPOINT_URL_S3 = before;
    }
  });
});
