/**
 * No full access key ID leaves the account's own data. A whole simulated run with every outcome
 * (deactivated, deleted, warned, exempt, skipped, failed, owner emails sent and failed, a user gone
 * mid-run, throttling) is captured: every log line the handlers write (at DEBUG, metrics on), every
 * email, every stored email file, every line the local runner prints, and every segment document
 * the functions send to X-Ray (traced as in Lambda, each AWS call through the SDK's middleware and
 * so through the X-Ray SDK's instrumentation; see leak-test-env.ts). Only the state payloads, the
 * batch files and report.json, which stay in the account, may hold a full key ID.
 */
// First: the environment the handler modules read as they load.
import { LAMBDA_TRACING_ENV } from './leak-test-env';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import middy from '@middy/core';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { iam } from '../../functions/shared/clients';
import { parseConfig } from '../../functions/shared/config';
import { lambdaHandler } from '../../functions/shared/lambda-handler';
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { logger, tracer } from '../../functions/shared/observability';
import { EXPOSURE_FUNCTIONS, FUNCTIONS } from '../../local/callers';
import { exposureSummaryLines, exposureOutputFiles } from '../../local/exposure-output';
import { runExposure, type ExposureRun } from '../../local/run-exposure';
import { startTracedInvocation } from '../../local/lambda-trace-env';
import { summaryLines } from '../../local/print-summary';
import { outputFiles } from '../../local/run-output';
import { LOCAL_BUCKET, runWorkflow } from '../../local/run-workflow';
import { parseAccountFile, SimulatedAccount } from '../../local/simulated-account';
import { fakeContext } from '../functions/fixtures';
import { EXAMPLE_KEY_ID, FULL_KEY_ID } from '../key-ids';
import {
  bucketOf,
  exposureEvent,
  NO_ROLE,
  organization,
  organizationConfig,
  PROD,
} from './exposure-fixtures';
import { daysAgo, key, keyId, keyIndexObjects, user } from './sweep-fixtures';
import { XRayDaemon, type SegmentDocument } from './xray-daemon';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const MASKED_KEY_ID = /AKIA\*{12}[A-Z0-9]{4}/;
const demo = parseAccountFile(
  JSON.parse(readFileSync(path.join(ROOT, 'local', 'demo-account.json'), 'utf8')),
  'demo',
);
const demoSettings = JSON.parse(readFileSync(path.join(ROOT, 'local', 'demo-config.json'), 'utf8')) as object;
const allKeyIds = demo.users.flatMap((u) => (u.accessKeys ?? []).map((k) => k.accessKeyId));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

let daemon: XRayDaemon;
beforeAll(async () => {
  daemon = await XRayDaemon.start();
  // The tracer (and with it the X-Ray SDK) loaded with this file's imports; AWS_XRAY_DAEMON_ADDRESS
  // is unset, so the SDK takes the address now.
  tracer.provider.setDaemonAddress(daemon.address);
});
afterAll(() => daemon.close());

/**
 * Each full key ID in a text, as a masked excerpt of where it stands: a failing check shows where
 * the leak is without printing the key ID itself.
 */
function leaksIn(text: string): string[] {
  const masked = redactAccessKeyIds(text); // same length: masking keeps every ID's length
  return [...text.matchAll(new RegExp(FULL_KEY_ID.source, 'g'))].map((match) =>
    masked.slice(Math.max(0, match.index - 80), match.index + 100),
  );
}

const handlerName = (name: string) => `## functions/${name}/handler.handler`;
const isHandlerSubsegment = (d: SegmentDocument) => d.name.startsWith('## ');
const exceptionsOf = (d: SegmentDocument) => d.cause?.exceptions ?? [];

describe('no full access key ID leaves the account', () => {
  it('in any log line, email, stored email, printed line or trace of a run with every outcome', async () => {
    const captured: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    let run;
    try {
      run = await runWorkflow({
        account: demo,
        // a key index that has seen erin's key inactive long enough to delete (deleteAfterDays 130
        // below), frank's long enough to warn of its deletion, both since after their last use
        bucketObjects: keyIndexObjects(demo, (_key, user) =>
          user.userName === 'erin' ? daysAgo(200) : user.userName === 'frank' ? daysAgo(125) : null,
        ),
        sdkMiddleware: true,
        config: parseConfig(
          {
            adminEmails: ['security-admins@example.com'],
            senderEmail: 'keysweep@example.com',
            ...demoSettings,
            deleteAfterDays: 130,
          },
          'leak test',
        ),
        faults: {
          throttleRate: 0.1,
          seed: 3,
          beforeCall: (call, sim) => {
            const keyId = String(call.input.AccessKeyId ?? '');
            if (call.operation === 'UpdateAccessKey' && call.input.UserName === 'kim') {
              throw Object.assign(
                new Error(`User is not authorized to perform iam:UpdateAccessKey on ${keyId}`),
                {
                  name: 'AccessDenied',
                },
              );
            }
            const to = (call.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? [];
            if (call.operation === 'SendEmail' && to.includes('bob@example.com')) {
              throw Object.assign(new Error(`Message rejected: contains ${allKeyIds[2]}`), {
                name: 'MessageRejected',
              });
            }
            if (
              call.operation === 'GetObject' &&
              String(call.input.Key).endsWith('-actions.json') &&
              sim.hasUser('leo')
            ) {
              sim.deleteUser('leo');
            }
          },
        },
      });
      for (const line of summaryLines(run, 'out', Object.keys(outputFiles(run)))) console.log(line);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    // The run did produce every outcome, so every path that writes text was taken.
    const results = new Set(
      run.report?.entries.flatMap((e) => [`${e.action}/${e.result}`, `${e.action}/${e.rule}`]),
    );
    for (const outcome of [
      'deactivate/done',
      'delete/done',
      'warn/n/a',
      'warn/delete',
      'exempt/n/a',
      'deactivate/failed',
      'deactivate/skipped',
    ]) {
      expect(results).toContain(outcome);
    }
    expect(run.report?.ownerNotifications.failed.map((f) => f.userName)).toEqual(['bob']);
    expect(run.account.calls.some((c) => c.error === 'Throttling')).toBe(true);

    // Logs were captured (structured JSON lines with masked IDs), and none holds a full key ID.
    const logs = captured.join('');
    expect(logs).toContain('"message":"Key handled"');
    expect(logs).toMatch(/"accessKeyId":"AKIA\*{12}[A-Z0-9]{4}"/);
    expect(logs).toContain('"_aws"'); // metrics (EMF) lines too
    expect(leaksIn(logs)).toEqual([]);

    // Emails, admin and owners, sent and stored.
    expect(run.emails.length).toBeGreaterThan(5);
    for (const email of run.emails) expect(leaksIn(email.subject + email.html + email.text)).toEqual([]);
    const prefix = run.files?.prefix ?? '';
    const stored = run.account
      .listObjectKeys(LOCAL_BUCKET, prefix)
      .filter((key) => key.endsWith('.html') || key.endsWith('.txt'));
    expect(stored.length).toBeGreaterThan(5);
    for (const key of stored) expect(leaksIn(run.account.getObjectText(LOCAL_BUCKET, key) ?? '')).toEqual([]);

    // report.json stays in the account and keeps full IDs (for the audit), masked beside them.
    expect(run.report?.entries[0]?.accessKeyId).toMatch(FULL_KEY_ID);

    // Traces: the segment documents the functions sent to X-Ray, every one of them.
    await daemon.settle();
    expect(daemon.malformed).toEqual([]);
    const documents = daemon.documents();
    const handlers = documents.filter(isHandlerSubsegment);
    const calls = documents.filter((d) => d.namespace === 'aws');
    // One subsegment per invocation, from each function, and one per AWS call: nothing was lost.
    expect(new Set(handlers.map((d) => d.name))).toEqual(new Set(FUNCTIONS.map(handlerName)));
    expect(handlers).toHaveLength(run.stats.lambdaInvocations.total);
    expect(new Set(calls.map((d) => d.name))).toEqual(new Set(['IAM', 'S3', 'SES']));
    expect(calls).toHaveLength(run.account.calls.length);
    // Each invocation a trace of its own, its calls under its handler's subsegment (all but the
    // state machine's own S3 tasks, which locally use the functions' S3 client: see lambda-trace-env.ts).
    expect(new Set(handlers.map((d) => d.trace_id)).size).toBe(handlers.length);
    const handlerIds = new Set(handlers.map((d) => d.id));
    expect(calls.filter((d) => handlerIds.has(d.parent_id ?? '')).length).toBeGreaterThan(calls.length * 0.9);
    // None holds a full key ID.
    expect(daemon.datagrams.flatMap(({ raw }) => leaksIn(raw))).toEqual([]);
    // What Powertools records of an invocation: its annotations, not its response.
    for (const handler of handlers) {
      expect(handler.annotations).toEqual({ ColdStart: expect.any(Boolean), Service: 'keysweep' });
      expect(handler.metadata).toBeUndefined();
    }
    // What the X-Ray SDK records of an AWS call: no IAM or SES parameter, the bucket and object key of S3.
    const recorded = ['operation', 'region', 'request_id', 'retries'];
    for (const call of calls) {
      const allowed = call.name === 'S3' ? [...recorded, 'id_2', 'bucket_name', 'key', 'prefix'] : recorded;
      expect(Object.keys(call.aws ?? {}).filter((field) => !allowed.includes(field))).toEqual([]);
    }
    // The AWS errors whose message held a key ID were recorded, the ID masked.
    const rejected = calls.filter((d) => exceptionsOf(d).some((e) => e.type === 'MessageRejected'));
    const denied = calls.filter((d) => exceptionsOf(d).some((e) => e.type === 'AccessDenied'));
    expect(rejected.length).toBeGreaterThan(0);
    expect(denied.length).toBeGreaterThan(0);
    for (const d of [...rejected, ...denied]) expect(exceptionsOf(d)[0]?.message).toMatch(MASKED_KEY_ID);
    expect(calls.some((d) => d.throttle === true)).toBe(true);
  });

  it('in any log line, email, stored email, printed line or trace of exposure runs, every outcome included', async () => {
    await daemon.settle();
    const from = daemon.datagrams.length;
    const captured: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    const settings = parseConfig(
      { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com', ...demoSettings },
      'leak test',
    );
    const runs: ExposureRun[] = [];
    try {
      // judy's key (exempt), alice's (her owner email rejected with a key ID in the message), a key
      // already deleted, temporary credentials; throttling throughout
      const event = exposureEvent([
        'AKIAT5D2H4JDEMOJJUD1',
        'AKIAIOSFODNN7EXAMPLE',
        keyId(77),
        'ASIAQWERTYUIOPASDFGH',
      ]);
      const first = await runExposure({
        account: demo,
        config: settings,
        event,
        sdkMiddleware: true,
        faults: {
          throttleRate: 0.1,
          seed: 5,
          beforeCall: (call) => {
            const to = (call.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? [];
            if (call.operation === 'SendEmail' && to.includes('alice@example.com')) {
              throw Object.assign(new Error(`Message rejected: contains ${allKeyIds[0]}`), {
                name: 'MessageRejected',
              });
            }
          },
        },
      });
      runs.push(first);
      // the same event again: a repeat
      runs.push(
        await runExposure({
          account: first.account.toAccountFile(),
          config: settings,
          event,
          sdkMiddleware: true,
          bucketObjects: bucketOf(first),
          executionName: 'exposure-repeat',
        }),
      );
      // a member account through the member role, and one without it
      const file = organization([user('alice', [key(10, 30)])]);
      for (const affectedAccount of [PROD, NO_ROLE]) {
        runs.push(
          await runExposure({
            account: file,
            config: organizationConfig(),
            event: exposureEvent([keyId(10)], { affectedAccount }),
            sdkMiddleware: true,
            executionName: `exposure-${affectedAccount}`,
          }),
        );
      }
      for (const run of runs) {
        for (const line of exposureSummaryLines(run, 'out', Object.keys(exposureOutputFiles(run))))
          console.log(line);
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    // Every outcome was produced.
    const results = new Set(runs.flatMap((r) => r.exposure?.keys.map((k) => k.result) ?? []));
    for (const outcome of ['deactivated', 'gone', 'not-a-user-key', 'repeat', 'failed'])
      expect(results).toContain(outcome);
    expect(runs[0]?.exposure?.notifications.owners.map((o) => o.status)).toContainEqual(
      expect.stringMatching(
        /^not emailed: sending failed \(MessageRejected: Message rejected: contains AKIA\*{12}/,
      ),
    );
    expect(runs.flatMap((r) => r.account.calls).some((c) => c.error === 'Throttling')).toBe(true);

    const logs = captured.join('');
    expect(logs).toContain('"message":"Exposed key handled"');
    expect(logs).toMatch(/"accessKeyId":"AKIA\*{12}[A-Z0-9]{4}"/);
    expect(leaksIn(logs)).toEqual([]);
    for (const run of runs) {
      for (const email of run.emails) expect(leaksIn(email.subject + email.html + email.text)).toEqual([]);
      const stored = run.account
        .listObjectKeys(LOCAL_BUCKET, run.prefix)
        .filter((k) => k.endsWith('.html') || k.endsWith('.txt'));
      for (const k of stored) expect(leaksIn(run.account.getObjectText(LOCAL_BUCKET, k) ?? '')).toEqual([]);
      // the records of the events and keys are named by a hash, never by the key ID
      for (const k of run.account.listObjectKeys(LOCAL_BUCKET)) expect(leaksIn(k)).toEqual([]);
      expect(leaksIn(run.error?.Cause ?? '')).toEqual([]);
    }
    expect(runs.flatMap((r) => r.emails).length).toBeGreaterThanOrEqual(4);

    await daemon.settle();
    const datagrams = daemon.datagrams.slice(from);
    const documents = datagrams.flatMap(({ document }) => [document, ...(document.subsegments ?? [])]);
    const handlers = documents.filter(isHandlerSubsegment);
    expect(new Set(handlers.map((d) => d.name))).toEqual(new Set(EXPOSURE_FUNCTIONS.map(handlerName)));
    expect(new Set(documents.filter((d) => d.namespace === 'aws').map((d) => d.name))).toEqual(
      new Set(['IAM', 'S3', 'SES', 'STS']),
    );
    expect(datagrams.flatMap(({ raw }) => leaksIn(raw))).toEqual([]);
  });

  it('in anything npm start prints or writes outside report.json and account-after.json', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'keysweep-leak-'));
    try {
      const account = path.join(out, 'account.json');
      writeFileSync(account, JSON.stringify(demo));
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(ROOT, 'local', 'main.ts'),
          '--account',
          account,
          '--config',
          path.join(ROOT, 'local', 'demo-config.json'),
          '--out',
          path.join(out, 'run'),
        ],
        {
          cwd: ROOT,
          // Not traced: the child would trace as a Lambda to a daemon that is not there.
          env: {
            ...Object.fromEntries(
              Object.entries(process.env).filter(([name]) => !LAMBDA_TRACING_ENV.includes(name)),
            ),
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_DISABLED: 'false',
          },
        },
      );
      expect(stdout).toContain('SUCCEEDED');
      expect(stdout).toContain('"message":"Key handled"');
      expect(leaksIn(stdout + stderr)).toEqual([]);
      const written = filesUnder(path.join(out, 'run'));
      expect(written.map((f) => path.relative(path.join(out, 'run'), f))).toEqual(
        expect.arrayContaining(['email.html', 'email.txt', 'report.json', 'owners/alice.txt']),
      );
      for (const file of written) {
        const text = readFileSync(file, 'utf8');
        if (/report\.json$|account-after\.json$|execution\.json$/.test(file)) continue;
        expect({ file: path.basename(file), leaks: FULL_KEY_ID.test(text) }).toEqual({
          file: path.basename(file),
          leaks: false,
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/**
 * The trace check can fail: each case makes one traced invocation as Powertools' and the X-Ray
 * SDK's defaults would record it, where the check finds the key ID, and one as keysweep does.
 */
describe('the trace check finds a key ID that the defaults would record', () => {
  // The controls' own log lines are of no interest here.
  beforeEach(() => logger.setLogLevel('SILENT'));
  afterEach(() => logger.setLogLevel('DEBUG'));
  const CONTROL_ACCOUNT = parseAccountFile({ users: [{ userName: 'ctl', accessKeys: [] }] }, 'control');

  /** One invocation in a trace of its own, as the Lambda runtime would start it: the leaks in its trace. */
  async function leaksInTraceOf(handler: (event: unknown, context: Context) => Promise<unknown>) {
    startTracedInvocation('deactivate-key');
    const traceId = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1] ?? '';
    await handler({}, fakeContext('keysweep-control')).catch(() => undefined);
    await daemon.settle();
    // It was traced: the handler's subsegment is there.
    expect(daemon.documentsOf(traceId).some(isHandlerSubsegment)).toBe(true);
    return leaksIn(daemon.rawOf(traceId).join('\n'));
  }

  const defaults = (logic: () => Promise<unknown>) => middy(logic).use(captureLambdaHandler(tracer));
  const keysweep = (logic: () => Promise<unknown>) => lambdaHandler('control', logic);
  const masked = (leaks: string[]) => leaks.every((excerpt) => MASKED_KEY_ID.test(excerpt));

  it("in a handler's response", async () => {
    const logic = async () => ({ accessKeyId: EXAMPLE_KEY_ID });
    const leaks = await leaksInTraceOf(defaults(logic));
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toContain('response'); // Powertools' "<handler> response" metadata
    expect(await leaksInTraceOf(keysweep(logic))).toEqual([]);
  });

  it("in a handler's error", async () => {
    const logic = async () => {
      throw new Error(`No key ${EXAMPLE_KEY_ID}`);
    };
    const leaks = await leaksInTraceOf(defaults(logic));
    expect(leaks.length).toBeGreaterThan(0);
    expect(masked(leaks)).toBe(true);
    expect(await leaksInTraceOf(keysweep(logic))).toEqual([]);
  });

  it("in an AWS call's error", async () => {
    const account = new SimulatedAccount(CONTROL_ACCOUNT, { now: new Date(), sdkMiddleware: true }).install();
    try {
      // IAM answers "The Access Key with id AKIA... cannot be found."
      const update = (client: IAMClient) => () =>
        client.send(
          new UpdateAccessKeyCommand({ UserName: 'ctl', AccessKeyId: EXAMPLE_KEY_ID, Status: 'Inactive' }),
        );
      const leaks = await leaksInTraceOf(keysweep(update(tracer.captureAWSv3Client(new IAMClient({})))));
      expect(leaks).toHaveLength(1);
      expect(leaks[0]).toContain('cannot be found');
      expect(await leaksInTraceOf(keysweep(update(iam)))).toEqual([]);
      expect(account.calls.map((c) => c.error)).toEqual(['NoSuchEntityException', 'NoSuchEntityException']);
    } finally {
      account.uninstall();
    }
  });
});
