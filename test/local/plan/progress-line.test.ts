/** The progress line: stages, then users read of the total, on a terminal only. */
import { ProgressLine } from '../../../local/plan/progress-line';

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

/** What the terminal shows: the text after the last line clear. */
const screen = (written: string[]) => written.join('').split('\r\x1b[2K').at(-1) ?? '';

describe('the progress line of npm run plan', () => {
  it('shows the credential report stage, the user listing, then users read of the total', () => {
    const { stream, written } = terminal(true);
    let now = 0;
    const progress = new ProgressLine(stream, () => now);
    progress.iamCall('GenerateCredentialReport', {});
    expect(screen(written)).toBe('keysweep plan: reading the credential report...');
    progress.iamCall('ListUsers', { MaxItems: 1000 });
    expect(screen(written)).toBe('keysweep plan: listing the users...');
    progress.addUsersToRead(50);
    progress.addUsersToRead(30);
    for (const name of ['a', 'b', 'c']) {
      now += 1000;
      progress.iamCall('ListAccessKeys', { UserName: name });
    }
    expect(screen(written)).toBe('keysweep plan: 3 of 80 users read');
    // A user read twice (a second page, the re-check) counts once.
    now += 1000;
    progress.iamCall('ListAccessKeys', { UserName: 'a' });
    progress.iamCall('ListUserTags', { UserName: 'd' });
    expect(progress.text()).toBe('keysweep plan: 3 of 80 users read');
    progress.clear(true);
    expect(written.at(-1)).toBe('\r\x1b[2K');
    progress.iamCall('ListAccessKeys', { UserName: 'z' });
    expect(written.at(-1)).toBe('\r\x1b[2K'); // stopped: nothing more is drawn
  });

  it('redraws at most ten times a second', () => {
    const { stream, written } = terminal(true);
    const progress = new ProgressLine(stream, () => 5_000);
    progress.addUsersToRead(1000);
    for (let i = 0; i < 500; i++) progress.iamCall('ListAccessKeys', { UserName: `u${i}` });
    expect(written.length).toBe(1);
    expect(progress.text()).toBe('keysweep plan: 500 of 1000 users read');
  });

  it("counts an organization's users by account: each account's alice is a user of her own", () => {
    const { stream } = terminal(true);
    const progress = new ProgressLine(stream, () => 0);
    progress.addUsersToRead(2);
    progress.addUsersToRead(1);
    progress.iamCall('ListAccessKeys', { UserName: 'alice' }, '222222222222');
    progress.iamCall('ListAccessKeys', { UserName: 'alice' }, '333333333333');
    progress.iamCall('ListAccessKeys', { UserName: 'alice' }, '333333333333');
    expect(progress.text()).toBe('keysweep plan: 2 of 3 users read');
  });

  it('writes nothing where the output is not a terminal', () => {
    const { stream, written } = terminal(false);
    const progress = new ProgressLine(stream);
    progress.iamCall('GenerateCredentialReport', {});
    progress.addUsersToRead(10);
    progress.iamCall('ListAccessKeys', { UserName: 'a' });
    progress.clear(true);
    expect(written).toEqual([]);
  });
});
