/**
 * Where moto 5 serves otherwise than AWS, as the emulator suite's comments say. A tripwire, not a
 * test of keysweep: when a moto upgrade changes one of these, the comment named here is out of
 * date and the suite may be checking less (or more) than it claims.
 */
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { SendEmailCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { csvLines, parseCsvLine } from '../../functions/list-users/credential-report-csv';
import { CREDENTIAL_REPORT_HEADER } from '../../local/simulated-account';
import { keyId } from '../key-ids';

/** Every line of the CSV as fields (a line that is not valid CSV: no fields). */
const parseCsv = (csv: string): string[][] => csvLines(csv).map((l) => parseCsvLine(l.text) ?? []);
import { motoClients, sentEmails, type MotoClients } from './moto-account';
import { MotoHost } from './moto-host';
import { describeWithMoto } from './with-moto';

jest.setTimeout(30_000);

describeWithMoto('moto, where it differs from AWS', () => {
  let moto: MotoHost | undefined;
  let clients: MotoClients;
  /** what the first three GenerateCredentialReport calls answered */
  const generateStates: (string | undefined)[] = [];
  const reportCsv = async () => {
    const report = await clients.iam.send(new GetCredentialReportCommand({}));
    return { csv: new TextDecoder().decode(report.Content), generatedTime: report.GeneratedTime };
  };

  beforeAll(async () => {
    moto = await MotoHost.start();
    clients = motoClients(moto.endpoint, 'us-east-1');
    // Created in this order on purpose: not the order of their names.
    for (const UserName of ['zoe', 'adam', 'mia'])
      await clients.iam.send(new CreateUserCommand({ UserName }));
    for (let i = 0; i < 3; i++)
      generateStates.push((await clients.iam.send(new GenerateCredentialReportCommand({}))).State);
  });

  afterAll(async () => {
    for (const client of [clients?.iam, clients?.s3, clients?.ses]) client?.destroy();
    await moto?.stop();
  });

  it('pages no ListUsers (readMotoKeys), and lists users in creation order (comparableObject)', async () => {
    const page = await clients.iam.send(new ListUsersCommand({ MaxItems: 1 }));
    expect(page.IsTruncated).toBe(false);
    expect(page.Users?.map((user) => user.UserName)).toEqual(['zoe', 'adam', 'mia']);
  });

  it('says STARTED, then COMPLETE for ever, and dates every report 2015-02-02 (comparableObject)', async () => {
    expect(generateStates).toEqual(['STARTED', 'COMPLETE', 'COMPLETE']);
    expect((await reportCsv()).generatedTime?.toISOString()).toBe('2015-02-02T20:02:02.000Z');
  });

  it('writes the credential report unquoted, without a <root_account> row, with AWS’s header', async () => {
    const { csv } = await reportCsv();
    const [header, ...rows] = parseCsv(csv);
    expect(header?.join(',')).toBe(CREDENTIAL_REPORT_HEADER);
    expect(rows.map((row) => row[0])).toEqual(['zoe', 'adam', 'mia']);
    expect(csv).not.toContain('"');
  });

  it('builds the report afresh at each Get, never stale (asMotoHoldsIt)', async () => {
    await clients.iam.send(new CreateAccessKeyCommand({ UserName: 'adam' }));
    const adam = parseCsv((await reportCsv()).csv).find((row) => row[0] === 'adam');
    expect(adam?.[8]).toBe('true'); // access_key_1_active, with no GenerateCredentialReport since
  });

  it('keeps last_rotated at creation when a key is re-activated (asMotoHoldsIt)', async () => {
    const created = await clients.iam.send(new CreateAccessKeyCommand({ UserName: 'mia' }));
    const AccessKeyId = created.AccessKey?.AccessKeyId;
    await clients.iam.send(new UpdateAccessKeyCommand({ UserName: 'mia', AccessKeyId, Status: 'Inactive' }));
    await moto?.command({
      op: 'backdate',
      users: [
        {
          userName: 'mia',
          createDate: null,
          keys: [
            {
              accessKeyId: AccessKeyId,
              newAccessKeyId: keyId(7),
              createDate: '2026-01-01T10:00:00.250Z',
              lastUsedDate: '2026-02-01T10:00:00Z',
            },
          ],
        },
      ],
    });
    await clients.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'mia', AccessKeyId: keyId(7), Status: 'Active' }),
    );
    const mia = parseCsv((await reportCsv()).csv).find((row) => row[0] === 'mia');
    // active, last_rotated (to the second, where the API keeps milliseconds), last used, region, service
    expect(mia?.slice(8, 13)).toEqual([
      'true',
      '2026-01-01T10:00:00+00:00',
      '2026-02-01T10:00:00+00:00',
      'not_supported',
      'not_supported',
    ]);
    const again = await clients.iam.send(new ListAccessKeysCommand({ UserName: 'mia' }));
    expect(again.AccessKeyMetadata?.[0]?.CreateDate?.toISOString()).toBe('2026-01-01T10:00:00.250Z');
  });

  it('writes an Inactive key’s last_rotated as its creation, where the simulator writes N/A (MOTO_REPORT_READING)', async () => {
    await clients.iam.send(new CreateUserCommand({ UserName: 'dormant' }));
    const created = await clients.iam.send(new CreateAccessKeyCommand({ UserName: 'dormant' }));
    const AccessKeyId = created.AccessKey?.AccessKeyId;
    await clients.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'dormant', AccessKeyId, Status: 'Inactive' }),
    );
    const dormant = parseCsv((await reportCsv()).csv).find((row) => row[0] === 'dormant');
    expect(dormant?.[8]).toBe('false'); // access_key_1_active
    expect(dormant?.[9]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/); // access_key_1_last_rotated
  });

  it('deletes a user that still has an access key, which AWS refuses (deleteUser in mid-run-changes)', async () => {
    await clients.iam.send(new CreateUserCommand({ UserName: 'leaving' }));
    await clients.iam.send(new CreateAccessKeyCommand({ UserName: 'leaving' }));
    await clients.iam.send(new DeleteUserCommand({ UserName: 'leaving' }));
    const users = await clients.iam.send(new ListUsersCommand({}));
    expect(users.Users?.map((user) => user.UserName)).not.toContain('leaving');
  });

  it('keeps one body of a message, refuses an unverified sender, not unverified recipients (seedMoto)', async () => {
    const send = (Source: string) =>
      clients.ses.send(
        new SendEmailCommand({
          Source,
          Destination: { ToAddresses: ['nobody-verified-this@example.com'] },
          Message: {
            Subject: { Data: 'subject' },
            Body: { Html: { Data: '<p>html</p>' }, Text: { Data: 'text' } },
          },
        }),
      );
    await expect(send('stranger@example.com')).rejects.toMatchObject({ name: 'MessageRejected' });
    await clients.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'sender@example.com' }));
    await send('sender@example.com');
    if (!moto) throw new Error('moto is not running');
    expect((await sentEmails(moto, 'us-east-1')).map((m) => m.body)).toEqual(['<p>html</p>']);
  });
});
