/**
 * The read-only guard of `npm run plan` (local/plan/read-only-guard.ts): every command of
 * @aws-sdk/client-iam goes through the plan's IAM client, whose transport records what would
 * have been sent. Every IAM command the functions import that reads reaches the transport; every
 * other command, the functions' own writes first, is refused before the SDK serializes its input,
 * and nothing of it is sent.
 */
import * as IAM from '@aws-sdk/client-iam';
import { PlanCallLog } from '../../../local/plan/call-log';
import { createPlanIamClient } from '../../../local/plan/plan-clients';
import {
  guardReadOnly,
  isReadOnlyIamOperation,
  READ_ONLY_GUARD,
  ReadOnlyViolation,
} from '../../../local/plan/read-only-guard';
import { FakeIamHandler } from './fake-iam-handler';
import { iamCommandsTheFunctionsImport } from './function-commands';

type CommandClass = new (input: object) => IAM.IAMClient extends { send(c: infer C): unknown } ? C : never;

/** Every command class @aws-sdk/client-iam exports, by operation name. */
const ALL_COMMANDS: [string, CommandClass][] = Object.entries(IAM)
  .filter(([name, value]) => /^[A-Z]\w*Command$/.test(name) && typeof value === 'function')
  .map(([name, value]) => [name.replace(/Command$/, ''), value as unknown as CommandClass]);

/** The plan's IAM client with a transport that records requests instead of sending them. */
function planClient() {
  const transport = new FakeIamHandler(() => ({ status: 200, body: '' }));
  const log = new PlanCallLog();
  const client = createPlanIamClient({ observer: log.observer('IAM') });
  // The SDK takes the transport from the client's config at each send.
  (client.config as { requestHandler: unknown }).requestHandler = transport;
  const serialized: string[] = [];
  // A spy in the serialize step: a refused command must not get this far.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      serialized.push(String(context.commandName));
      return next(args);
    },
    { step: 'serialize', priority: 'high', name: 'testSerializeSpy' },
  );
  return { client, transport, log, serialized };
}

async function outcomeOf(client: IAM.IAMClient, command: CommandClass): Promise<'refused' | 'sent'> {
  try {
    await client.send(new command({}));
    return 'sent';
  } catch (error) {
    return error instanceof ReadOnlyViolation ? 'refused' : 'sent';
  }
}

describe('the read-only guard of npm run plan', () => {
  const functionsImport = iamCommandsTheFunctionsImport();
  const commands = new Map(ALL_COMMANDS);

  it('knows every IAM command the functions import, writes included', () => {
    // The scan found them: reads of list-users and find-stale-keys, and deactivate-key's writes.
    expect(functionsImport).toEqual([
      'DeleteAccessKey',
      'GenerateCredentialReport',
      'GetAccessKeyLastUsed',
      'GetCredentialReport',
      'ListAccessKeys',
      'ListGroupsForUser',
      'ListUserTags',
      'ListUsers',
      'UpdateAccessKey',
    ]);
    for (const name of functionsImport) expect(commands.has(name)).toBe(true);
  });

  it.each(iamCommandsTheFunctionsImport().filter(isReadOnlyIamOperation))(
    'lets %s, a read the functions make, reach the transport',
    async (name) => {
      const { client, transport, serialized } = planClient();
      expect(await outcomeOf(client, commands.get(name) as CommandClass)).toBe('sent');
      expect(transport.requests.map((r) => r.action)).toContain(name);
      expect(serialized).toEqual([`${name}Command`]);
    },
  );

  it('refuses the writes the functions import, before anything is serialized or sent', async () => {
    const { client, transport, serialized, log } = planClient();
    for (const name of ['UpdateAccessKey', 'DeleteAccessKey']) {
      const command = commands.get(name) as CommandClass;
      await expect(
        client.send(
          new command({ UserName: 'alice', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }),
        ),
      ).rejects.toThrow(new ReadOnlyViolation('IAM', name));
    }
    expect(transport.requests).toEqual([]);
    expect(serialized).toEqual([]);
    expect(log.refusedOperations).toEqual(['IAM.UpdateAccessKey', 'IAM.DeleteAccessKey']);
  });

  it('refuses every IAM command that is not a List*, Get* or GenerateCredentialReport, and sends none of them', async () => {
    const { client, transport, serialized } = planClient();
    const writes = ALL_COMMANDS.filter(([name]) => !isReadOnlyIamOperation(name));
    // The SDK's own list: more than a hundred commands that create, change, tag, attach or delete.
    expect(writes.length).toBeGreaterThan(100);
    expect(writes.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'CreateAccessKey',
        'UpdateAccessKey',
        'DeleteAccessKey',
        'CreateUser',
        'DeleteUser',
        'TagUser',
        'AttachUserPolicy',
        'PutUserPolicy',
        'AddUserToGroup',
        'CreateLoginProfile',
        'UpdateAssumeRolePolicy',
        'SetSecurityTokenServicePreferences',
        'GenerateServiceLastAccessedDetails',
        'UploadSSHPublicKey',
      ]),
    );
    const outcomes = await Promise.all(
      writes.map(async ([name, command]) => [name, await outcomeOf(client, command)]),
    );
    expect(outcomes.filter(([, outcome]) => outcome !== 'refused')).toEqual([]);
    expect(transport.requests).toEqual([]);
    expect(serialized).toEqual([]);
  });

  it('lets every List* and Get* command through to the transport, and nothing else', async () => {
    const { client, transport } = planClient();
    const reads = ALL_COMMANDS.filter(([name]) => isReadOnlyIamOperation(name));
    expect(
      reads.every(([name]) => /^(List|Get)[A-Z]/.test(name) || name === 'GenerateCredentialReport'),
    ).toBe(true);
    for (const [, command] of reads) expect(await outcomeOf(client, command)).toBe('sent');
    expect(transport.requests.map((r) => r.action).sort()).toEqual(reads.map(([name]) => name).sort());
  });

  it('refuses a command whose name the SDK does not give (fails closed)', async () => {
    let middleware:
      ((next: () => Promise<unknown>, context: object) => (args: object) => Promise<unknown>) | undefined;
    const fakeClient = {
      middlewareStack: {
        add: (mw: typeof middleware) => {
          middleware = mw;
        },
      },
    };
    guardReadOnly(fakeClient as never, 'IAM');
    const next = jest.fn(async () => ({ output: {} }));
    await expect(middleware?.(next, {})({ input: {} })).rejects.toBeInstanceOf(ReadOnlyViolation);
    await expect(middleware?.(next, { commandName: 'ListUsersCommand' })({ input: {} })).resolves.toEqual({
      output: {},
    });
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('is the first middleware of the plan client, before serialization and retries', () => {
    const names = createPlanIamClient().middlewareStack.identify();
    expect(names[0]).toMatch(new RegExp(`^${READ_ONLY_GUARD} - initialize`));
  });
});
