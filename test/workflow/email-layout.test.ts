/**
 * A real browser reads the emails: headless Chromium (Debian's chromium package, driven by
 * playwright-core) renders the demo run's admin email, a 10,000-key admin email with failures, a
 * paused deletion and cut lists, each owner email of the demo and every owner-email case, inside
 * a frame 390 px wide (a phone) and 1,200 px wide. Nothing may overflow sideways, and what a
 * reader needs must be visible within the frame: counts, failures, the policy, the execution link,
 * the report's location, the masked key IDs, the commands (with no token broken across lines).
 *
 * Without a browser at /usr/bin/chromium (KEYSWEEP_CHROMIUM overrides) the test says it skipped
 * and why; with KEYSWEEP_REQUIRE_BROWSER=1 (as .ci/run sets) a missing browser fails instead.
 * KEYSWEEP_WRITE_SCREENSHOTS=1 writes docs/admin-email-390.png, -1200.png and
 * docs/owner-email-390.png (the README's pictures) from the demo run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { buildReport, resultKey } from '../../functions/send-report/build-report';
import { renderAdminEmail, type RenderedEmail } from '../../functions/send-report/render-admin-email';
import { renderOwnerEmail } from '../../functions/send-report/render-owner-email';
import type { Report } from '../../functions/send-report/report-model';
import { renderOrganizationEmail } from '../../functions/send-organization-report/render-organization-email';
import {
  DEMO_ACCOUNT,
  DEMO_CONFIG,
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccount,
  loadAccountOrOrganization,
  loadConfig,
} from '../../local/load-inputs';
import { organizationReportOf } from '../functions/send-organization-report/organization-report-fixtures';
import { runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import { NOW, testConfig, testRun } from '../functions/fixtures';
import { OWNER_EMAIL_CASES, entriesOf, ownerContext } from '../functions/send-report/owner-email-cases';
import { decisionsFile, planOf, record, result } from '../functions/send-report/report-fixtures';

jest.setTimeout(120_000);

const CHROMIUM = process.env.KEYSWEEP_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.KEYSWEEP_REQUIRE_BROWSER === '1';
const SCREENSHOTS = process.env.KEYSWEEP_WRITE_SCREENSHOTS === '1';
const DOCS = path.join(__dirname, '..', '..', 'docs');
const WIDTHS = [390, 1200] as const;
const LOCATION = 's3://keysweep-reports-123456789012-eu-west-1/runs/2026-11-28/run-2026-11-28/report.json';
const missing = existsSync(CHROMIUM) ? null : `no browser at ${CHROMIUM} (Debian: apt-get install chromium)`;

if (missing !== null && REQUIRED) {
  it('has a browser to check the email layout with (KEYSWEEP_REQUIRE_BROWSER=1)', () => {
    throw new Error(`KEYSWEEP_REQUIRE_BROWSER=1, but ${missing}`);
  });
} else if (missing !== null) {
  console.warn(
    `SKIPPED the email layout test in a real browser: ${missing}. Set KEYSWEEP_REQUIRE_BROWSER=1 to fail instead.`,
  );
}

/** A command block of an owner email (email-html.ts, command()). */
const COMMAND = 'div[style*="background:#f3f4f6"] > code';

/** What the checks read of the frame's DOM (this project's TypeScript has no DOM library). */
interface Box {
  left: number;
  right: number;
  width: number;
  height: number;
}
interface El {
  tagName: string;
  textContent: string | null;
  scrollWidth: number;
  getBoundingClientRect(): Box;
  getClientRects(): { length: number };
  querySelectorAll(selector: string): ArrayLike<El>;
  childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
}
interface Doc {
  documentElement: El & { clientWidth: number; scrollHeight: number };
  body: El;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface FrameElement {
  style: { height: string };
  srcdoc: string;
  onload: (() => void) | null;
}

interface Overflow {
  scrollWidth: number;
  clientWidth: number;
  /** elements that reach past the frame's left or right edge */
  outside: string[];
  /** nowrap tokens of commands that were broken across lines */
  brokenTokens: string[];
  /** command text that a line may break inside: outside a token span, or in one that wraps */
  breakableTokens: string[];
  commands: number;
}

/** A 10,000-key run that failed on some keys, paused deletion and had owners it could not email. */
function bigAdminEmail(): { email: RenderedEmail; report: Report } {
  const keys = Array.from({ length: 10_000 }, (_, i) =>
    record(`user-${String(i).padStart(5, '0')}`, i + 1, i % 3 === 0 ? 'warn' : 'deactivate'),
  );
  const files = [decisionsFile(0, keys)];
  const results = keys
    .filter((k) => k.action === 'deactivate')
    .map((k, i) =>
      result(
        k,
        i % 50 === 0
          ? { result: 'failed', error: `AccessDenied: not authorized on ${k.accessKeyId}` }
          : { result: 'done' },
      ),
    );
  const report: Report = {
    ...buildReport({
      run: testRun(),
      plan: planOf(files, 20_000),
      decisions: files,
      results: new Map(results.map((r) => [resultKey(r.userName, r.accessKeyId), r])),
      sweepError: null,
      config: testConfig({ notifyOwners: true, maxActionsPerRun: 20_000 }),
      finishedAt: NOW,
    }),
    deletionPaused: 'the key index is missing, so keysweep cannot tell how long a key has been inactive',
  };
  report.ownerNotifications = {
    enabled: true,
    withheld: null,
    sent: [],
    failed: [{ userName: 'user-00001', error: 'MessageRejected: Email address is not verified.' }],
    noAddress: keys.slice(2, 400).map((k) => k.userName),
    notSent: [],
  };
  return { email: renderAdminEmail(report, LOCATION), report };
}

(missing === null ? describe : describe.skip)('the emails in a real browser', () => {
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  let demo: WorkflowRun;
  let demoOrganization: WorkflowRun;

  beforeAll(async () => {
    userDataDir = mkdtempSync(path.join(tmpdir(), 'keysweep-chromium-'));
    // This machine has no internet: keep Chromium from calling home (and flooding refused connections).
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1300, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    demo = await runWorkflow({
      account: loadAccount(DEMO_ACCOUNT),
      config: loadConfig({ configFile: DEMO_CONFIG }),
      version: '0.1.0',
    });
    demoOrganization = await runWorkflow({
      account: loadAccountOrOrganization(DEMO_ORGANIZATION),
      config: loadConfig({ configFile: DEMO_ORGANIZATION_CONFIG }),
      version: '0.1.0',
      executionName: 'org-demo',
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Loads an email into a frame `width` px wide, as tall as its content; returns the frame. */
  async function show(html: string, width: number): Promise<Frame> {
    await page.setContent(
      `<body style="margin:0"><iframe id="email" style="display:block;border:0;width:${width}px;height:600px"></iframe></body>`,
    );
    await page.$eval(
      '#email',
      (frame: FrameElement, srcdoc: string) =>
        new Promise<void>((resolve) => {
          frame.onload = () => resolve();
          frame.srcdoc = srcdoc;
        }),
      html,
    );
    const frame = page.frames().find((f) => f !== page.mainFrame());
    if (!frame) throw new Error('the email frame did not load');
    const height = await frame.evaluate(
      () => (globalThis as unknown as { document: Doc }).document.documentElement.scrollHeight,
    );
    await page.$eval('#email', (el: FrameElement, h: number) => (el.style.height = `${h}px`), height);
    return frame;
  }

  function overflowOf(frame: Frame): Promise<Overflow> {
    return frame.evaluate((command) => {
      const { document, getComputedStyle } = globalThis as unknown as {
        document: Doc;
        getComputedStyle: (el: El) => { whiteSpace: string };
      };
      const root = document.documentElement;
      const width = root.clientWidth;
      const outside: string[] = [];
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.left < -0.5 || box.right > width + 0.5) {
          outside.push(
            `<${el.tagName.toLowerCase()}> ${Math.round(box.left)}..${Math.round(box.right)}: ${(el.textContent ?? '').slice(0, 60)}`,
          );
        }
      }
      const brokenTokens = Array.from(document.querySelectorAll(`${command} span`))
        .filter((span) => span.getClientRects().length > 1)
        .map((span) => span.textContent ?? '');
      const codes = Array.from(document.querySelectorAll(command));
      const breakableTokens = [
        ...codes.flatMap((code) =>
          Array.from(code.childNodes)
            .filter((node) => node.nodeType === 3 && (node.textContent ?? '').trim() !== '')
            .map((node) => node.textContent ?? ''),
        ),
        ...Array.from(document.querySelectorAll(`${command} span`))
          .filter((span) => getComputedStyle(span).whiteSpace !== 'nowrap')
          .map((span) => span.textContent ?? ''),
      ];
      return {
        scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
        clientWidth: width,
        outside,
        brokenTokens,
        breakableTokens,
        commands: codes.length,
      };
    }, COMMAND);
  }

  async function expectFits(frame: Frame, width: number): Promise<void> {
    const o = await overflowOf(frame);
    expect(o.clientWidth).toBe(width);
    expect({
      scrollWidth: o.scrollWidth,
      outside: o.outside,
      brokenTokens: o.brokenTokens,
      breakableTokens: o.breakableTokens,
    }).toEqual({
      scrollWidth: width,
      outside: [],
      brokenTokens: [],
      breakableTokens: [],
    });
  }

  /** Every element holding `text` (the innermost ones) is visible and within the frame's width. */
  async function expectVisible(frame: Frame, texts: readonly string[], width: number): Promise<void> {
    for (const text of texts) {
      const found = frame.getByText(text, { exact: false });
      const count = await found.count();
      expect({ text, found: count > 0 }).toEqual({ text, found: true });
      for (let i = 0; i < count; i++) {
        const element = found.nth(i);
        const box = await element.boundingBox();
        expect({ text, visible: await element.isVisible() }).toEqual({ text, visible: true });
        expect({ text, inside: box !== null && box.x >= -0.5 && box.x + box.width <= width + 0.5 }).toEqual({
          text,
          inside: true,
        });
      }
    }
  }

  it.each(WIDTHS)('shows the demo admin email at %i px with nothing sideways', async (width) => {
    const email = demo.emails.find((e) => e.to.includes('security-admins@example.com'));
    if (!email || !demo.report) throw new Error('the demo run sent no admin email');
    const frame = await show(email.html, width);
    await expectFits(frame, width);
    await expectVisible(
      frame,
      ['Deactivated', 'Warned', 'Failed', 'Policy in force', 'deactivateAfterDays', 'report.json'],
      width,
    );
    const keys = demo.report.entries.filter((e) => e.action !== 'none').map((e) => e.maskedAccessKeyId);
    await expectVisible(frame, keys, width);
    const link = frame.getByRole('link', { name: demo.executionName });
    expect(await link.isVisible()).toBe(true);
    expect(await link.getAttribute('href')).toContain('console.aws.amazon.com/states/home');
    if (SCREENSHOTS) {
      mkdirSync(DOCS, { recursive: true });
      await page.locator('#email').screenshot({ path: path.join(DOCS, `admin-email-${width}.png`) });
    }
  });

  it.each(WIDTHS)(
    'shows a 10,000-key admin email at %i px: failures, paused deletion, cut lists',
    async (width) => {
      const { email, report } = bigAdminEmail();
      const frame = await show(email.html, width);
      await expectFits(frame, width);
      const failed = report.entries.filter((e) => e.result === 'failed');
      await expectVisible(
        frame,
        [
          'DELETION PAUSED',
          `${failed.length} of ${report.plannedActions} key actions failed`,
          `Failed (${failed.length})`,
          'Policy in force',
          'Owners not emailed',
          `more in the report`,
          LOCATION,
          (failed[0] ?? { maskedAccessKeyId: '?' }).maskedAccessKeyId,
        ],
        width,
      );
      expect(await frame.getByRole('link', { name: 'run-2026-11-28' }).first().isVisible()).toBe(true);
    },
  );

  const demoOwners = () => demo.emails.filter((e) => !e.to.includes('security-admins@example.com'));

  it.each(WIDTHS)('shows every owner email of the demo at %i px with whole commands', async (width) => {
    expect(demoOwners().length).toBeGreaterThanOrEqual(10);
    for (const email of demoOwners()) {
      const frame = await show(email.html, width);
      await expectFits(frame, width);
      const masked = [...new Set(email.text.match(/AKIA\*{12}[A-Z0-9]{4}/g))];
      await expectVisible(frame, [...masked, 'What to do', 'aws iam '], width);
    }
    if (SCREENSHOTS && width === 390) {
      const alice = demoOwners().find((e) => e.to.includes('alice@example.com'));
      if (!alice) throw new Error('no owner email to alice');
      await show(alice.html, width);
      await page.locator('#email').screenshot({ path: path.join(DOCS, 'owner-email-390.png') });
    }
  });

  it.each(WIDTHS)(
    'shows each owner-email case at %i px, every command visible and unbroken',
    async (width) => {
      for (const c of OWNER_EMAIL_CASES) {
        const email = renderOwnerEmail(c.user, entriesOf(c), ownerContext);
        const frame = await show(email.html, width);
        await expectFits(frame, width);
        const blocks = frame.locator(COMMAND);
        expect({ case: c.name, commands: await blocks.count() }).toEqual({
          case: c.name,
          commands: c.commands.length + (c.commands.some((x) => x.includes('ID_ENDING_')) ? 1 : 0),
        });
        await expectVisible(
          frame,
          [...c.commands, ...[...new Set(email.text.match(/AKIA\*{12}[A-Z0-9]{4}/g))]],
          width,
        );
      }
    },
  );

  it.each(WIDTHS)('never breaks a command token at %i px, wherever the line ends', async (width) => {
    // The longest commands, with user names of every length up to 16: each puts the ends of the
    // lines elsewhere, so a token that could break (after a hyphen) would, somewhere.
    const c = OWNER_EMAIL_CASES.find((x) => x.user === 'dora');
    if (!c) throw new Error('the dora case is missing');
    for (let length = 1; length <= 16; length++) {
      const user = 'abcdefghijklmnop'.slice(0, length);
      const entries = entriesOf(c).map((e) => ({ ...e, userName: user }));
      const frame = await show(renderOwnerEmail(user, entries, ownerContext).html, width);
      await expectFits(frame, width);
      expect(await frame.locator(COMMAND).count()).toBe(c.commands.length + 1);
    }
  });

  it.each(WIDTHS)(
    'shows the demo organization summary at %i px: unreachable, failed and skipped accounts',
    async (width) => {
      const email = demoOrganization.emails.find((e) => e.subject.includes('organization o-keysweep00'));
      if (!email) throw new Error('the demo organization sent no summary');
      const frame = await show(email.html, width);
      await expectFits(frame, width);
      await expectVisible(
        frame,
        [
          'Totals',
          'Accounts not swept: unreachable or failed',
          '666666666666',
          'AccountUnreachable',
          'Accounts left out',
          'excluded',
          'suspended',
        ],
        width,
      );
      expect(await frame.getByRole('link', { name: 'org-demo' }).isVisible()).toBe(true);
      if (SCREENSHOTS)
        await page.locator('#email').screenshot({ path: path.join(DOCS, `organization-email-${width}.png`) });
    },
  );

  it.each(WIDTHS)(
    'shows a 1,000-account organization summary at %i px, its lists cut to the budget',
    async (width) => {
      const email = renderOrganizationEmail(organizationReportOf(1000, 100), LOCATION);
      const frame = await show(email.html, width);
      await expectFits(frame, width);
      await expectVisible(
        frame,
        ['Accounts with the most keys out of policy', 'more in the report', LOCATION],
        width,
      );
    },
  );
});
