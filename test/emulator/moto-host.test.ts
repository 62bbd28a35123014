/** moto's host process: it starts, answers, keeps full key IDs out of its errors, and leaves nothing behind. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CreateUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { FULL_KEY_ID, keyId } from '../key-ids';
import { motoClients, seedMoto } from './moto-account';
import { MotoHost, python } from './moto-host';
import { describeWithMoto } from './with-moto';

jest.setTimeout(30_000);

/** Whether a process of this ID still runs. */
function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeWithMoto('the moto host', () => {
  it('serves the AWS API on 127.0.0.1, answers commands, and is gone once stopped', async () => {
    const moto = await MotoHost.start();
    try {
      expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const clients = motoClients(moto.endpoint, 'us-east-1');
      await seedMoto(
        moto,
        clients,
        {
          users: [
            {
              userName: 'alice',
              accessKeys: [{ accessKeyId: keyId(1), status: 'Active', createDate: '2026-01-01T00:00:00Z' }],
            },
          ],
        },
        { bucket: 'host-test', senderEmail: 'keysweep@example.com' },
      );
      const users = await clients.iam.send(new ListUsersCommand({}));
      expect(users.Users?.map((u) => u.UserName)).toEqual(['alice']);
      await expect(moto.command({ op: 'no-such-op' })).rejects.toThrow(
        "moto: no-such-op: ValueError: unknown op 'no-such-op'",
      );
      for (const client of [clients.iam, clients.s3, clients.ses]) client.destroy();
    } finally {
      await moto.stop();
    }
    expect(moto.stopped).toBe(true);
    await expect(moto.command({ op: 'sent_emails' })).rejects.toThrow('moto has exited');
  });

  it('masks the key IDs in the errors it passes on', async () => {
    const moto = await MotoHost.start();
    const { iam } = motoClients(moto.endpoint, 'us-east-1');
    try {
      await iam.send(new CreateUserCommand({ UserName: 'alice' }));
      // alice has no such key: moto's error names it, in full.
      const failure = moto.command({
        op: 'backdate',
        users: [{ userName: 'alice', createDate: null, keys: [{ accessKeyId: keyId(42) }] }],
      });
      await expect(failure).rejects.toThrow(`The Access Key with id AKIA************${keyId(42).slice(-4)}`);
      await expect(failure).rejects.not.toThrow(FULL_KEY_ID);
    } finally {
      iam.destroy();
      await moto.stop();
    }
  });

  it('exits by itself when its stdin closes, as when the test process dies', async () => {
    const child = spawn(python(), [path.join(__dirname, 'moto_host.py')], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    expect(JSON.parse(String(first.value))).toMatchObject({ ready: true });
    child.stdin.end();
    const timeout = new Promise<'still running'>((resolve) =>
      setTimeout(() => resolve('still running'), 10_000).unref(),
    );
    const result = await Promise.race([exited, timeout]);
    if (result === 'still running') child.kill('SIGKILL');
    expect(result).toBe(0);
    expect(alive(child.pid)).toBe(false);
  });
});
