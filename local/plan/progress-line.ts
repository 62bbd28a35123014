/**
 * The progress line of `npm run plan` on a terminal: which stage the sweep is in while it reads
 * the account (the credential report, the list of users), then how many users have been read of
 * those to read. One line, redrawn in place (at most ten times a second), cleared before anything
 * else is printed. Where the output is not a terminal (a pipe, a file, CI) it writes nothing.
 *
 * It learns what happens from two places: the IAM calls that pass the read-only guard (each user
 * read starts with its ListAccessKeys), and the batch files of users that list-users writes to the
 * local report bucket (how many users there are to read).
 */

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const CLEAR_LINE = '\r\x1b[2K';

export class ProgressLine {
  private stage: string | null = null;
  private usersToRead = 0;
  private readonly usersRead = new Set<string>();
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private shown = false;
  private stopped = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly clock: () => number = Date.now,
    private readonly minIntervalMs = 100,
  ) {}

  get enabled(): boolean {
    return this.out.isTTY === true && !this.stopped;
  }

  /** An IAM read about to be sent (`account`: the member account it reads, in an organization's plan). */
  iamCall(operation: string, input: Readonly<Record<string, unknown>>, account?: string): void {
    if (operation === 'GenerateCredentialReport' || operation === 'GetCredentialReport') {
      this.enter('reading the credential report');
    } else if (operation === 'ListUsers') {
      this.enter('listing the users');
    } else if (operation === 'ListAccessKeys' && typeof input.UserName === 'string') {
      const before = this.usersRead.size;
      // A user is told apart by account too: two accounts may each have an alice.
      this.usersRead.add(`${account ?? ''}/${input.UserName}`);
      if (this.usersRead.size !== before) this.draw(false);
    }
  }

  /** list-users wrote a batch of `count` users to read. */
  addUsersToRead(count: number): void {
    this.usersToRead += count;
    this.draw(false);
  }

  /** Removes the line (before other output); `stop` also keeps it from coming back. */
  clear(stop = false): void {
    if (this.shown) this.out.write(CLEAR_LINE);
    this.shown = false;
    if (stop) this.stopped = true;
  }

  /** The text the line shows now. */
  text(): string {
    if (this.usersRead.size > 0 || (this.usersToRead > 0 && this.stage === null)) {
      const total = Math.max(this.usersToRead, this.usersRead.size);
      return `keysweep plan: ${this.usersRead.size} of ${total} users read`;
    }
    return `keysweep plan: ${this.stage ?? 'starting'}...`;
  }

  private enter(stage: string): void {
    if (this.stage === stage || this.usersRead.size > 0) return;
    this.stage = stage;
    this.draw(true);
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (!force && now - this.lastDrawn < this.minIntervalMs) return;
    this.lastDrawn = now;
    this.out.write(`${CLEAR_LINE}${this.text()}`);
    this.shown = true;
  }
}
