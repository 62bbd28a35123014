/**
 * The read-only guard of `npm run plan -- --org` on its STS and Organizations clients
 * (local/plan/read-only-guard.ts, plan-clients.ts): every command of @aws-sdk/client-sts and
 * @aws-sdk/client-organizations goes through the plan's client of that service, whose transport
 * records what would have been sent. STS lets only AssumeRole and GetCallerIdentity through,
 * Organizations only its reads (List*, Describe*); every other command is refused before the SDK
 * serializes its input, and nothing of it is sent. The commands the functions import are among
 * those let through.
 */
import { Readable } from 'node:stream';
import * as Organizations from '@aws-sdk/client-organizations';
import * as STS from '@aws-sdk/client-sts';
import { PlanCallLog } from '../../../local/plan/call-log';
import { createPlanOrganizationsClient, createPlanStsClient } from '../../../local/plan/plan-clients';
import {
  isReadOnlyOperation,
  READ_ONLY_GUARD,
  ReadOnlyViolation,
  type GuardedService,
} from '../../../local/plan/read-only-guard';
import { commandsTheFunctionsImport } from './function-commands';

interface AnyClient {
  send(command: object): Promise<unknown>;
  config: object;
  middlewareStack: {
    add(middleware: unknown, options: object): void;
    identify(): string[];
  };
}
type CommandClass = new (input: object) => object;

/** Every command class an SDK package exports, by operation name. */
const commandsOf = (sdk: Record<string, unknown>): [string, CommandClass][] =>
  Object.entries(sdk)
    .filter(([name, value]) => /^[A-Z]\w*Command$/.test(name) && typeof value === 'function')
    .map(([name, value]) => [name.replace(/Command$/, ''), value as CommandClass]);

/** Records each request instead of sending it: the query protocol's Action, or the JSON protocol's X-Amz-Target. */
class RecordingHandler {
  readonly operations: string[] = [];

  async handle(request: { body?: unknown; headers?: Record<string, string> }): Promise<{ response: object }> {
    const target = request.headers?.['x-amz-target'];
    const body = typeof request.body === 'string' ? request.body : '';
    this.operations.push(target?.split('.').at(-1) ?? new URLSearchParams(body).get('Action') ?? '');
    return {
      response: {
        statusCode: 200,
        headers: { 'content-type': target ? 'application/x-amz-json-1.1' : 'text/xml' },
        body: Readable.from([Buffer.from(target ? '{}' : '', 'utf8')]),
      },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): object {
    return {};
  }
}

const SESSION = { accessKeyId: 'ASIAEXAMPLESESSION00', secretAccessKey: 'secret', sessionToken: 'token' };

const services: {
  service: GuardedService;
  sdkPackage: string;
  commands: [string, CommandClass][];
  create: (log: PlanCallLog) => AnyClient;
  allowed: string[];
}[] = [
  {
    service: 'STS',
    sdkPackage: '@aws-sdk/client-sts',
    commands: commandsOf(STS),
    create: (log) =>
      createPlanStsClient({ region: 'us-east-1', observer: log.observer('STS') }) as unknown as AnyClient,
    allowed: ['AssumeRole', 'GetCallerIdentity'],
  },
  {
    service: 'ORGANIZATIONS',
    sdkPackage: '@aws-sdk/client-organizations',
    commands: commandsOf(Organizations),
    create: (log) =>
      createPlanOrganizationsClient({
        region: 'us-east-1',
        credentials: SESSION,
        observer: log.observer('ORGANIZATIONS'),
      }) as unknown as AnyClient,
    allowed: commandsOf(Organizations)
      .map(([name]) => name)
      .filter((name) => /^(List|Describe)[A-Z]/.test(name)),
  },
];

/** The plan's client of a service with a transport that records requests, and a spy in the serialize step. */
function planClient(create: (log: PlanCallLog) => AnyClient) {
  const transport = new RecordingHandler();
  const log = new PlanCallLog();
  const client = create(log);
  (client.config as { requestHandler: unknown }).requestHandler = transport;
  const serialized: string[] = [];
  client.middlewareStack.add(
    (next: (args: object) => Promise<unknown>, context: { commandName?: string }) => async (args: object) => {
      serialized.push(String(context.commandName));
      return next(args);
    },
    { step: 'serialize', priority: 'high', name: 'testSerializeSpy' },
  );
  return { client, transport, log, serialized };
}

async function outcomeOf(client: AnyClient, command: CommandClass): Promise<'refused' | 'sent'> {
  try {
    await client.send(new command({}));
    return 'sent';
  } catch (error) {
    return error instanceof ReadOnlyViolation ? 'refused' : 'sent';
  }
}

describe.each(services)('the read-only guard of plan --org on $service', (s) => {
  it('lets through exactly its allow-list among every command of the SDK, and sends nothing else', async () => {
    const { client, transport, serialized, log } = planClient(s.create);
    // The SDK's own list, whatever it holds in this version: more than the allow-list.
    expect(s.commands.length).toBeGreaterThan(s.allowed.length);
    const outcomes: Record<string, string> = {};
    for (const [name, command] of s.commands) outcomes[name] = await outcomeOf(client, command);
    const sent = Object.keys(outcomes).filter((name) => outcomes[name] === 'sent');
    expect(sent.sort()).toEqual([...s.allowed].sort());
    expect(transport.operations.sort()).toEqual([...s.allowed].sort());
    expect(serialized.sort()).toEqual(s.allowed.map((name) => `${name}Command`).sort());
    const refused = Object.keys(outcomes).filter((name) => outcomes[name] === 'refused');
    expect(log.refusedOperations.sort()).toEqual(refused.map((name) => `${s.service}.${name}`).sort());
    for (const name of refused) expect(isReadOnlyOperation(s.service, name)).toBe(false);
  });

  it('lets through the commands the functions import', () => {
    const imported = commandsTheFunctionsImport(s.sdkPackage);
    expect(imported.length).toBeGreaterThan(0);
    for (const name of imported)
      expect({ name, allowed: isReadOnlyOperation(s.service, name) }).toEqual({
        name,
        allowed: true,
      });
  });

  it('names the service and what it sends when it refuses', async () => {
    const { client } = planClient(s.create);
    const write = s.commands.find(([name]) => !s.allowed.includes(name));
    if (write === undefined) throw new Error('no command outside the allow-list');
    await expect(client.send(new write[1]({}))).rejects.toThrow(
      new RegExp(
        `^keysweep plan is read-only: it refused ${s.service} ${write[0]}, which is not a read \\(only `,
      ),
    );
  });

  it('is the first middleware of the client, before serialization and retries', () => {
    const { client } = planClient(s.create);
    expect(client.middlewareStack.identify()[0]).toMatch(new RegExp(`^${READ_ONLY_GUARD} - initialize`));
  });
});

it('refuses the writes of STS and Organizations a bug might reach for', () => {
  for (const name of ['GetSessionToken', 'GetFederationToken', 'AssumeRoot', 'AssumeRoleWithSAML'])
    expect(isReadOnlyOperation('STS', name)).toBe(false);
  for (const name of [
    'CreateAccount',
    'CloseAccount',
    'MoveAccount',
    'TagResource',
    'AttachPolicy',
    'LeaveOrganization',
    'RemoveAccountFromOrganization',
  ])
    expect(isReadOnlyOperation('ORGANIZATIONS', name)).toBe(false);
});
