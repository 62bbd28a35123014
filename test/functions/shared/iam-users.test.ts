import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  getLastUsedDate,
  isNoSuchEntity,
  listAccessKeys,
  listGroupNames,
  listUserTags,
  paginate,
} from '../../../functions/shared/iam-users';
import { noSuchEntity, noWaitRetry, throttlingError } from '../fixtures';

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({});

beforeEach(() => iamMock.reset());

describe('paginate', () => {
  it('follows IsTruncated/Marker to the last page, passing each marker on', async () => {
    const pages: Record<string, { items: number[]; isTruncated?: boolean; marker?: string }> = {
      start: { items: [1, 2], isTruncated: true, marker: 'm1' },
      m1: { items: [3], isTruncated: true, marker: 'm2' },
      m2: { items: [4, 5], isTruncated: false },
    };
    const fetchPage = jest.fn(
      async (marker: string | undefined) => pages[marker ?? 'start'] ?? { items: [] },
    );
    await expect(paginate(fetchPage, 'numbers')).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(fetchPage.mock.calls).toEqual([[undefined], ['m1'], ['m2']]);
  });

  it.each([
    ['a truncated page without a marker', [{ items: [1], isTruncated: true }]],
    [
      'a marker that repeats',
      [
        { items: [1], isTruncated: true, marker: 'm1' },
        { items: [2], isTruncated: true, marker: 'm1' },
      ],
    ],
  ])('fails on %s instead of looping', async (_name, pages) => {
    let calls = 0;
    const fetchPage = async () => pages[Math.min(calls++, pages.length - 1)] ?? { items: [] };
    await expect(paginate(fetchPage, 'users')).rejects.toThrow(
      'IAM pagination of users did not advance (IsTruncated without a new Marker)',
    );
    expect(calls).toBe(pages.length);
  });
});

describe('isNoSuchEntity', () => {
  it.each([
    ['the SDK exception', true, noSuchEntity()],
    ['a NoSuchEntity error code', true, Object.assign(new Error('gone'), { name: 'NoSuchEntity' })],
    ['throttling', false, throttlingError()],
    ['a plain object', false, { name: 'NoSuchEntityException' }],
  ])('%s → %s', (_name, expected, error) => {
    expect(isNoSuchEntity(error)).toBe(expected);
  });
});

describe('reads of one user', () => {
  it('lists access keys over pages, as ISO dates, retrying throttling', async () => {
    iamMock
      .on(ListAccessKeysCommand, { UserName: 'alice', Marker: undefined })
      .rejectsOnce(throttlingError())
      .resolves({
        AccessKeyMetadata: [
          {
            AccessKeyId: 'AKIATESTAAAAAAAAAAAB',
            Status: 'Active',
            CreateDate: new Date('2026-01-03T10:00:00Z'),
          },
        ],
        IsTruncated: true,
        Marker: 'next',
      })
      .on(ListAccessKeysCommand, { UserName: 'alice', Marker: 'next' })
      .resolves({
        AccessKeyMetadata: [
          {
            AccessKeyId: 'AKIATESTAAAAAAAAAAAC',
            Status: 'Inactive',
            CreateDate: new Date('2025-01-03T10:00:00Z'),
          },
        ],
      });
    await expect(listAccessKeys(iam, 'alice', noWaitRetry)).resolves.toEqual([
      { accessKeyId: 'AKIATESTAAAAAAAAAAAB', status: 'Active', createDate: '2026-01-03T10:00:00.000Z' },
      { accessKeyId: 'AKIATESTAAAAAAAAAAAC', status: 'Inactive', createDate: '2025-01-03T10:00:00.000Z' },
    ]);
    expect(iamMock).toHaveReceivedCommandTimes(ListAccessKeysCommand, 3);
  });

  it.each([
    ['no AccessKeyId', { Status: 'Active', CreateDate: new Date() }],
    ['no CreateDate', { AccessKeyId: 'AKIATESTAAAAAAAAAAAB', Status: 'Active' }],
    ['an unknown status', { AccessKeyId: 'AKIATESTAAAAAAAAAAAB', Status: 'Expired', CreateDate: new Date() }],
  ])('rejects a key record with %s', async (_name, record) => {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [record as never] });
    await expect(listAccessKeys(iam, 'bob', noWaitRetry)).rejects.toThrow(
      'IAM returned an incomplete access key record for user bob',
    );
  });

  it('reads tags as a record and groups as names', async () => {
    iamMock.on(ListUserTagsCommand, { UserName: 'alice' }).resolves({
      Tags: [
        { Key: 'email', Value: 'alice@example.com' },
        { Key: 'keysweep:exempt', Value: 'always' },
      ],
    });
    iamMock
      .on(ListGroupsForUserCommand, { UserName: 'alice' })
      .resolves({ Groups: [{ GroupName: 'developers' } as never, { GroupName: 'break-glass' } as never] });
    await expect(listUserTags(iam, 'alice', noWaitRetry)).resolves.toEqual({
      email: 'alice@example.com',
      'keysweep:exempt': 'always',
    });
    await expect(listGroupNames(iam, 'alice', noWaitRetry)).resolves.toEqual(['developers', 'break-glass']);
  });

  it.each([
    [
      'a used key',
      { AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-20T09:00:00Z') } },
      '2026-11-20T09:00:00.000Z',
    ],
    ['a never used key', { AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } }, null],
    ['an empty answer', {}, null],
  ])('gives the last use of %s', async (_name, response, expected) => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves(response as never);
    await expect(getLastUsedDate(iam, 'AKIATESTAAAAAAAAAAAB', noWaitRetry)).resolves.toBe(expected);
    expect(iamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, {
      AccessKeyId: 'AKIATESTAAAAAAAAAAAB',
    });
  });
});
