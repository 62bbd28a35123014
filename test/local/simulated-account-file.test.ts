import { AccountFileError, parseAccountFile, parseIsoDateTime } from '../../local/simulated-account';

const valid = {
  now: '2026-11-28T08:00:00Z',
  credentialReportAgeHours: 2,
  users: [
    {
      userName: 'alice',
      createDate: '2026-01-01T00:00:00Z',
      tags: { email: 'alice@example.com' },
      groups: ['developers'],
      accessKeys: [
        {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          status: 'Active',
          createDate: '2026-05-01T10:00:00Z',
          lastUsedDate: '2026-11-20T09:00:00+02:00',
          activatedDate: '2026-06-01T10:00:00.123Z',
        },
      ],
    },
    { userName: 'bob+ops=x,y.z@corp_-1' },
  ],
};

function clone(): typeof valid {
  return structuredClone(valid);
}

function errorOf(raw: unknown): AccountFileError {
  try {
    parseAccountFile(raw, 'demo.json');
  } catch (err) {
    expect(err).toBeInstanceOf(AccountFileError);
    return err as AccountFileError;
  }
  throw new Error('expected parseAccountFile to throw');
}

describe('parseAccountFile', () => {
  it('accepts a valid file and returns it unchanged', () => {
    expect(parseAccountFile(clone(), 'demo.json')).toEqual(valid);
    expect(parseAccountFile({ users: [] }, 'empty.json')).toEqual({ users: [] });
  });

  it('names the file, the path and the value of a bad date', () => {
    const raw = clone();
    (raw.users[0]!.accessKeys![0] as { createDate: string }).createDate = 'yesterday';
    const err = errorOf(raw);
    expect(err.message).toMatch(/^Invalid account file demo\.json: /);
    expect(err.message).toContain('users[0].accessKeys[0].createDate must be an ISO 8601 date-time');
    expect(err.message).toContain('(got "yesterday")');
    expect(err.name).toBe('AccountFileError');
  });

  it.each([
    ['2026-05-01T10:00:00', 'no time zone'],
    ['2026-05-01', 'a date alone'],
    ['2026-02-30T10:00:00Z', 'an impossible day'],
    ['2026-13-01T10:00:00Z', 'an impossible month'],
    ['2026-05-01T24:00:00Z', 'an impossible hour'],
  ])('rejects %s (%s)', (date) => {
    const raw = clone();
    raw.now = date;
    expect(errorOf(raw).message).toContain(`now must be an ISO 8601 date-time with a time zone`);
  });

  it('parses ISO 8601 date-times with offsets to the right instant', () => {
    expect(parseIsoDateTime('2026-05-01T12:00:00+02:00')).toBe(Date.UTC(2026, 4, 1, 10));
    expect(parseIsoDateTime('2026-05-01T10:00Z')).toBe(Date.UTC(2026, 4, 1, 10));
    expect(parseIsoDateTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoDateTime('2025-02-29T00:00:00Z')).toBeUndefined();
  });

  it('rejects a bad access key ID with its path and value', () => {
    const raw = clone();
    raw.users[0]!.accessKeys![0]!.accessKeyId = 'AKIA123';
    expect(errorOf(raw).message).toContain('users[0].accessKeys[0].accessKeyId must be an access key ID');
    expect(errorOf(raw).message).toContain('(got "AKIA123")');
    raw.users[0]!.accessKeys![0]!.accessKeyId = 'AKIAiosfodnn7example';
    expect(errorOf(raw).message).toContain('(got "AKIAiosfodnn7example")');
  });

  it('rejects a duplicate user name, naming both places', () => {
    const raw = clone();
    raw.users[1]!.userName = 'alice';
    expect(errorOf(raw).message).toContain('users[1].userName duplicates users[0].userName (got "alice")');
  });

  it('rejects a duplicate access key ID across users', () => {
    const raw = clone();
    (raw.users[1] as { accessKeys?: unknown }).accessKeys = [
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Inactive', createDate: '2026-01-01T00:00:00Z' },
    ];
    expect(errorOf(raw).message).toContain(
      'users[1].accessKeys[0].accessKeyId duplicates users[0].accessKeys[0].accessKeyId',
    );
  });

  it('rejects a third key (IAM allows two per user)', () => {
    const raw = clone();
    const key = (id: string) => ({ accessKeyId: id, status: 'Active', createDate: '2026-01-01T00:00:00Z' });
    (raw.users[1] as { accessKeys?: unknown }).accessKeys = [
      key('AKIAAAAAAAAAAAAAAAA1'),
      key('AKIAAAAAAAAAAAAAAAA2'),
      key('AKIAAAAAAAAAAAAAAAA3'),
    ];
    expect(errorOf(raw).message).toContain('users[1].accessKeys has 3 keys; IAM allows at most 2 per user');
  });

  it('rejects unknown fields at every level', () => {
    const raw = clone() as unknown as Record<string, unknown> & { users: Record<string, unknown>[] };
    raw.extra = 1;
    raw.users[1]!.email = 'bob@example.com';
    (raw.users[0]!.accessKeys as Record<string, unknown>[])[0]!.secret = 'x';
    const message = errorOf(raw).message;
    expect(message).toContain('the account file has unknown field "extra"');
    expect(message).toContain('users[1] has unknown field "email"');
    expect(message).toContain('users[0].accessKeys[0] has unknown field "secret"');
  });

  it('rejects something that is not an object', () => {
    expect(errorOf([]).message).toBe(
      'Invalid account file demo.json: the account file must be an object (got an array)',
    );
    expect(errorOf('users').message).toContain('must be an object (got "users")');
    expect(errorOf(null).message).toContain('must be an object (got null)');
    expect(errorOf({}).message).toContain('users is required');
  });

  it('rejects last-used and activated dates before the creation date', () => {
    const raw = clone();
    raw.users[0]!.accessKeys![0]!.lastUsedDate = '2026-04-30T10:00:00Z';
    raw.users[0]!.accessKeys![0]!.activatedDate = '2026-05-01T09:59:59Z';
    const message = errorOf(raw).message;
    expect(message).toContain('users[0].accessKeys[0].lastUsedDate must not be before createDate');
    expect(message).toContain('users[0].accessKeys[0].activatedDate must not be before createDate');
  });

  it('checks status, user and group names, tags and the report age', () => {
    const raw = clone() as unknown as {
      credentialReportAgeHours: unknown;
      users: {
        userName: string;
        groups?: string[];
        tags?: Record<string, unknown>;
        accessKeys?: { status: string }[];
      }[];
    };
    raw.credentialReportAgeHours = -1;
    raw.users[0]!.accessKeys![0]!.status = 'active';
    raw.users[0]!.groups = ['dev ops'];
    raw.users[0]!.tags = { email: 42 };
    raw.users[1]!.userName = 'x'.repeat(65);
    const err = errorOf(raw);
    expect(err.message).toContain('credentialReportAgeHours must be a number of hours ≥ 0 (got -1)');
    expect(err.message).toContain(
      'users[0].accessKeys[0].status must be "Active" or "Inactive" (got "active")',
    );
    expect(err.message).toContain('users[0].groups[0] must be an IAM group name');
    expect(err.message).toContain('users[0].tags.email must be a string (got 42)');
    expect(err.message).toContain('users[1].userName must be an IAM user name');
    expect(err.problems).toHaveLength(5);
    expect(err.message.split('; ')).toHaveLength(5);
  });

  it('lists every problem in one message', () => {
    const raw = clone();
    raw.now = 'soon';
    raw.users[1]!.userName = 'alice';
    raw.users[0]!.accessKeys![0]!.accessKeyId = 'nope';
    const err = errorOf(raw);
    expect(err.problems).toEqual([
      expect.stringContaining('now must be'),
      expect.stringContaining('users[0].accessKeys[0].accessKeyId must be'),
      expect.stringContaining('users[1].userName duplicates'),
    ]);
  });
});
