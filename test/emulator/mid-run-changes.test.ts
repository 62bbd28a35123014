/**
 * IAM's errors as they come over the wire: between finding and acting, someone deactivates one
 * stale key and deletes another user. The re-check before acting must read "already inactive" and
 * NoSuchEntity from moto's XML answers as it does from the simulated account's exceptions.
 */
import {
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { runPrefix } from '../../functions/shared/report-layout';
import { executeSweep, LOCAL_BUCKET, LOCAL_REGION } from '../../local/execute-sweep';
import { runWorkflow } from '../../local/run-workflow';
import { account, config, key, keyId, NOW, user } from '../workflow/sweep-fixtures';
import { asMotoHoldsIt, motoClients, seedMoto, type MotoClients } from './moto-account';
import { MotoHost } from './moto-host';
import { decisionsByKey, keyLabel, motoOutcome, simulatedOutcome } from './sweep-outcome';
import { describeWithMoto } from './with-moto';

jest.setTimeout(60_000);

const EXECUTION_NAME = 'mid-run-changes';
const MIDDLEWARE = 'keysweep-test-mid-run-change';

/** The ASL's ReadPlannedActions reads this: the find pass is over, the act pass about to start. */
const isActionsFile = (input: unknown) =>
  String((input as { Key?: unknown } | undefined)?.Key ?? '').endsWith('-actions.json');

/** Deletes a user as AWS requires: its keys first (these users are in no group). moto would not insist. */
async function deleteUser(clients: MotoClients, UserName: string): Promise<void> {
  const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName }));
  for (const meta of keys.AccessKeyMetadata ?? [])
    await clients.iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: meta.AccessKeyId }));
  await clients.iam.send(new DeleteUserCommand({ UserName }));
}

describeWithMoto('changes between find and act, over HTTP against moto', () => {
  const threeStaleUsers = asMotoHoldsIt(
    account([user('alice', [key(1, 120)]), user('bob', [key(2, 130)]), user('carol', [key(3, 140)])]),
  );
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;
  let moto: MotoHost | undefined;
  let clients: MotoClients | undefined;

  afterAll(async () => {
    await moto?.stop();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    if (clients) for (const client of [clients.iam, clients.s3, clients.ses]) client.destroy();
  });

  it('skips the key deactivated meanwhile and the user deleted meanwhile, as the simulated run does', async () => {
    moto = await MotoHost.start();
    const motoAccount = motoClients(moto.endpoint, LOCAL_REGION);
    clients = motoAccount;
    const settings = config();
    await seedMoto(moto, motoAccount, threeStaleUsers, {
      bucket: LOCAL_BUCKET,
      senderEmail: settings.senderEmail,
    });
    process.env.AWS_ENDPOINT_URL = moto.endpoint;

    // The functions' own S3 client (the one the ASL's tasks use too) makes the changes, once.
    const functionClients = await import('../../functions/shared/clients');
    let changed = false;
    functionClients.s3.middlewareStack.add(
      (next) => async (args) => {
        if (!changed && isActionsFile(args.input)) {
          changed = true;
          await motoAccount.iam.send(
            new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: keyId(2), Status: 'Inactive' }),
          );
          await deleteUser(motoAccount, 'carol');
        }
        return next(args);
      },
      { step: 'initialize', name: MIDDLEWARE },
    );
    const prefix = runPrefix(NOW.toISOString(), EXECUTION_NAME);
    let onMoto;
    try {
      const execution = await executeSweep({
        config: settings,
        input: {},
        now: NOW,
        executionName: EXECUTION_NAME,
        version: 'emulator',
        bucket: LOCAL_BUCKET,
      });
      onMoto = await motoOutcome(execution, prefix, moto, motoAccount, 0);
    } finally {
      functionClients.s3.middlewareStack.remove(MIDDLEWARE);
    }
    expect(changed).toBe(true);

    const simulated = simulatedOutcome(
      await runWorkflow({
        account: threeStaleUsers,
        config: settings,
        executionName: EXECUTION_NAME,
        version: 'emulator',
        faults: {
          beforeCall: (call, sim) => {
            if (call.operation === 'GetObject' && isActionsFile(call.input) && sim.hasUser('carol')) {
              sim.setKeyStatus('bob', keyId(2), 'Inactive');
              sim.deleteUser('carol');
            }
          },
        },
      }),
      prefix,
    );

    expect(decisionsByKey(onMoto)).toEqual({
      [keyLabel('alice', keyId(1))]: 'deactivate/age/done (deactivated)',
      [keyLabel('bob', keyId(2))]: 'deactivate/age/skipped (already inactive)',
      [keyLabel('carol', keyId(3))]: 'deactivate/age/skipped (user or key no longer exists)',
    });
    expect(decisionsByKey(onMoto)).toEqual(decisionsByKey(simulated));
    expect({ status: onMoto.status, error: onMoto.error }).toEqual({
      status: simulated.status,
      error: simulated.error,
    });
    expect(onMoto.keys).toEqual(simulated.keys);
    expect(onMoto.objects).toEqual(simulated.objects);
    expect(onMoto.emails).toEqual(simulated.emails);
  });
});
