/**
 * The plan's IAM client: the SDK's adaptive retry mode, so IAM's throttling is retried (and the
 * client slows itself down), while the deployed functions' client keeps its single attempt.
 */
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { iam as functionsIam } from '../../../functions/shared/clients';
import { SDK_CLIENTS } from '../../../functions/shared/retry-budget';
import { PlanCallLog } from '../../../local/plan/call-log';
import { createPlanIamClient, PLAN_IAM_MAX_ATTEMPTS } from '../../../local/plan/plan-clients';
import { FakeIamHandler, iamErrorXml, listUsersXml } from './fake-iam-handler';

const withTransport = (client: ReturnType<typeof createPlanIamClient>, transport: FakeIamHandler) => {
  (client.config as { requestHandler: unknown }).requestHandler = transport;
  return client;
};

describe("the plan's IAM client", () => {
  it('uses the adaptive retry mode; the functions’ client keeps its budget', async () => {
    const modeOf = async (client: typeof functionsIam) =>
      Reflect.get(await client.config.retryStrategy(), 'mode');
    expect(await modeOf(createPlanIamClient())).toBe('adaptive');
    expect(await createPlanIamClient().config.maxAttempts()).toBe(PLAN_IAM_MAX_ATTEMPTS);
    expect(await modeOf(functionsIam)).toBe('standard');
    expect(await functionsIam.config.maxAttempts()).toBe(SDK_CLIENTS.iam.maxAttempts);
  });

  it("retries IAM's Throttling until it gets an answer", async () => {
    let calls = 0;
    const transport = new FakeIamHandler(() =>
      ++calls <= 1
        ? { status: 400, body: iamErrorXml('Throttling', 'Rate exceeded') }
        : {
            status: 200,
            body: listUsersXml([{ name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' }]),
          },
    );
    const log = new PlanCallLog();
    const client = withTransport(createPlanIamClient({ observer: log.observer('IAM') }), transport);
    const page = await client.send(new ListUsersCommand({}));
    expect(page.Users?.map((u) => u.UserName)).toEqual(['alice']);
    expect(page.$metadata.attempts).toBe(2);
    expect(transport.requests.map((r) => r.action)).toEqual(['ListUsers', 'ListUsers']);
    // One call as the statistics count it, not two.
    expect(log.calls).toEqual([{ service: 'IAM', operation: 'ListUsers', input: {}, outcome: 'ok' }]);
  });

  it('does not retry an error that is not transient (credentials IAM refuses)', async () => {
    const transport = new FakeIamHandler(() => ({
      status: 403,
      body: iamErrorXml('InvalidClientTokenId', 'The security token included in the request is invalid.'),
    }));
    const log = new PlanCallLog();
    const client = withTransport(createPlanIamClient({ observer: log.observer('IAM') }), transport);
    await expect(client.send(new ListUsersCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    expect(transport.requests).toHaveLength(1);
    expect(log.errors.map((e) => e.operation)).toEqual(['ListUsers']);
  });
});
