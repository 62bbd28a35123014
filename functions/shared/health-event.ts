/**
 * The AWS Health event keysweep reacts to, as AWS Health sends it to EventBridge: source
 * `aws.health`, detail-type `AWS Health Event`, `detail.eventTypeCode` AWS_RISK_CREDENTIALS_EXPOSED,
 * the exposed access key IDs in `detail.affectedEntities[].entityValue` (AWS Health User Guide,
 * "Reference: AWS Health events Amazon EventBridge schema"; the event of this type in aws-health-tools,
 * automated-actions/AWS_RISK_CREDENTIALS_EXPOSED). Facts of that schema keysweep relies on:
 * - `account` is the account the event was sent to; with organizational view, an event received in the
 *   management account or a delegated administrator is about `detail.affectedAccount`, "the account
 *   ID of the impacted account". Older examples carry no affectedAccount: then it is `account`.
 * - "An event ARN isn't unique to a specific AWS account or Region": keysweep's record of an event is
 *   per affected account, key and event ARN.
 * - A large event comes in pages (`page`, `totalPages`), each with some of the affected entities, and
 *   AWS Health may send a backup copy in a second Region (`backupEvent`): every page and copy is one
 *   more delivery of the same event and key, which the record turns into a repeat.
 * Unknown fields are kept out of the parse, not refused: AWS adds fields to its events.
 */
import { z } from 'zod';

export const HEALTH_EVENT_SOURCE = 'aws.health';
export const HEALTH_EVENT_DETAIL_TYPE = 'AWS Health Event';
export const EXPOSED_KEY_EVENT_TYPE = 'AWS_RISK_CREDENTIALS_EXPOSED';

/** arn:<partition>:health:<region>::event/<service>/<type code>/<id> (API_Event, `arn`). */
export const HEALTH_EVENT_ARN = /^arn:aws(-[a-z]+)*:health:[^:]*:[^:]*:event\/\S+$/;

/** An IAM user's access key ID; ASIA IDs are temporary credentials, which no IAM user owns. */
export const USER_ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
export const TEMPORARY_ACCESS_KEY_ID = /^ASIA[A-Z0-9]{16}$/;

const accountId = z
  .string({ error: 'must be a 12-digit AWS account ID' })
  .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account ID' });

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

/** The event as the exposure state machine receives it from EventBridge (and `npm start --event` reads it). */
export const exposureEventSchema = z.object({
  id: text('the EventBridge event ID'),
  'detail-type': z.literal(HEALTH_EVENT_DETAIL_TYPE, { error: `must be "${HEALTH_EVENT_DETAIL_TYPE}"` }),
  source: z.literal(HEALTH_EVENT_SOURCE, { error: `must be "${HEALTH_EVENT_SOURCE}"` }),
  account: accountId,
  time: z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 date-time such as "2026-11-28T09:12:00Z"',
  }),
  region: text('the Region the event was delivered to'),
  detail: z.object(
    {
      eventArn: z
        .string({ error: 'must be an AWS Health event ARN' })
        .regex(HEALTH_EVENT_ARN, { error: 'must be an AWS Health event ARN (arn:aws:health:...:event/...)' }),
      eventTypeCode: z.literal(EXPOSED_KEY_EVENT_TYPE, { error: `must be "${EXPOSED_KEY_EVENT_TYPE}"` }),
      affectedAccount: accountId.optional(),
      affectedEntities: z
        .array(z.object({ entityValue: text('the exposed access key ID') }), {
          error: 'must be a list of {"entityValue": "<access key ID>"}',
        })
        .min(1, { error: 'must name at least one exposed access key' }),
    },
    { error: 'must be the event detail object' },
  ),
});
export type ExposureEvent = z.infer<typeof exposureEventSchema>;

/** What the state machine hands each key's step about the event (its ItemSelector). */
export const exposureEventRefSchema = z.object({
  id: z.string().min(1),
  time: z.string().min(1),
  /** the account the event was sent to */
  account: accountId,
  eventArn: z.string().regex(HEALTH_EVENT_ARN),
  eventTypeCode: z.string(),
  /** the account the exposed key belongs to */
  affectedAccount: accountId,
});
export type ExposureEventRef = z.infer<typeof exposureEventRefSchema>;

/** Every problem of a would-be exposure event, each naming its field; [] when it is one. */
export function exposureEventProblems(raw: unknown): string[] {
  const result = exposureEventSchema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path || '(the event)'} ${issue.message}`;
  });
}
