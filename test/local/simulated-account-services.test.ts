/**
 * A simulated account can wire in only some services: `npm run plan` simulates S3 and SES and
 * leaves IAM to the real SDK client, which then sends its calls to its transport.
 */
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SimulatedAccount } from '../../local/simulated-account';
import { FakeIamHandler, listUsersXml } from './plan/fake-iam-handler';

describe('SimulatedAccount services', () => {
  it('installs only the services it is given: S3 simulated, IAM left to its transport', async () => {
    const account = new SimulatedAccount(
      { users: [{ userName: 'simulated-only' }] },
      { now: new Date('2026-11-28T08:00:00Z'), services: ['S3', 'SES'] },
    ).install();
    const transport = new FakeIamHandler(() => ({
      status: 200,
      body: listUsersXml([
        { name: 'from-the-transport', arn: 'arn:aws:iam::111122223333:user/from-the-transport' },
      ]),
    }));
    const iam = new IAMClient({ region: 'us-east-1', requestHandler: transport });
    const s3 = new S3Client({ region: 'us-east-1' });
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'hello' }));
      const object = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
      expect(await object.Body?.transformToString()).toBe('hello');
      const users = await iam.send(new ListUsersCommand({}));
      expect(users.Users?.map((u) => u.UserName)).toEqual(['from-the-transport']);
      expect(transport.requests.map((r) => r.action)).toEqual(['ListUsers']);
      expect(account.calls.map((c) => `${c.service}.${c.operation}`)).toEqual([
        'S3.PutObject',
        'S3.GetObject',
      ]);
    } finally {
      account.uninstall();
    }
  });

  it('installs all three by default', async () => {
    const account = new SimulatedAccount(
      { users: [{ userName: 'simulated-only' }] },
      { now: new Date('2026-11-28T08:00:00Z') },
    ).install();
    const transport = new FakeIamHandler();
    try {
      const users = await new IAMClient({ region: 'us-east-1', requestHandler: transport }).send(
        new ListUsersCommand({}),
      );
      expect(users.Users?.map((u) => u.UserName)).toEqual(['simulated-only']);
      expect(transport.requests).toEqual([]);
    } finally {
      account.uninstall();
    }
  });
});
