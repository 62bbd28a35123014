/**
 * Where a run's files live in the report bucket. Everything of one run is under
 * runs/<YYYY-MM-DD>/<execution name>/; state that outlives runs is under state/.
 */
export function runPrefix(startedAt: string, executionName: string): string {
  return `runs/${startedAt.slice(0, 10)}/${executionName}/`;
}

const pad = (index: number) => String(index).padStart(4, '0');

export const layout = {
  /** the users of one batch, written by list-users */
  usersOfBatch: (prefix: string, index: number) => `${prefix}batches/${pad(index)}-users.json`,
  /** every key of one batch with its decision, written by find-stale-keys */
  decisionsOfBatch: (prefix: string, index: number) => `${prefix}batches/${pad(index)}-decisions.json`,
  /** the keys of one batch that need a change, read by the ActOnKeys child workflow */
  actionsOfBatch: (prefix: string, index: number) => `${prefix}batches/${pad(index)}-actions.json`,
  /** what happened to each planned change, written by the ActOnKeys child workflow */
  resultsOfBatch: (prefix: string, index: number) => `${prefix}batches/${pad(index)}-results.json`,
  report: (prefix: string) => `${prefix}report.json`,
  emailHtml: (prefix: string) => `${prefix}email.html`,
  emailText: (prefix: string) => `${prefix}email.txt`,
  ownerEmailHtml: (prefix: string, userName: string) => `${prefix}owners/${userName}.html`,
  ownerEmailText: (prefix: string, userName: string) => `${prefix}owners/${userName}.txt`,
  ownerNotifications: (prefix: string) => `${prefix}owner-notifications.json`,
  /**
   * keys keysweep has seen and deactivated, carried from run to run (the credential report's blind
   * spots); in an organization one per account
   */
  keyIndex: (accountId?: string) =>
    accountId === undefined ? 'state/key-index.json' : `state/accounts/${accountId}/key-index.json`,
  /** an organization run's files for one account: runs/<date>/<organization execution>/accounts/<id>/ */
  accountPrefix: (organizationPrefix: string, accountId: string) =>
    `${organizationPrefix}accounts/${accountId}/`,
  /** an account's plan, saved by its plan execution for its act execution (organization runs) */
  plan: (prefix: string) => `${prefix}plan.json`,
  /** why an account could not be reached, written by list-users before it fails (organization runs) */
  unreachable: (prefix: string) => `${prefix}unreachable.json`,
  /** an account's outcome and counts, written by send-report for the organization summary */
  accountSummary: (prefix: string) => `${prefix}account-summary.json`,
  /** the organization run's account batches and what each account's executions came to */
  accountsOfBatch: (prefix: string, index: number) => `${prefix}accounts/batches/${pad(index)}-accounts.json`,
  plansOfBatch: (prefix: string, index: number) => `${prefix}accounts/batches/${pad(index)}-plans.json`,
  accountsToActOfBatch: (prefix: string, index: number) => `${prefix}accounts/batches/${pad(index)}-act.json`,
  actResultsOfBatch: (prefix: string, index: number) => `${prefix}accounts/batches/${pad(index)}-acted.json`,
  /** the accounts list-accounts left out (suspended, excluded, outside the OUs) */
  skippedAccounts: (prefix: string) => `${prefix}accounts/skipped.json`,
  /** what an exposure run (an AWS Health event of an exposed key) did; the daily report lists them */
  exposure: (prefix: string) => `${prefix}exposure.json`,
  /** keysweep's record of one exposed key and event, so that an event is acted on once (exposure.ts) */
  exposureRecord: (recordId: string) => `state/exposures/${recordId}.json`,
  /**
   * the marker that an exposure run of `executionName`, started on `day`, stored its report: the
   * daily runs list these few markers rather than every object of the day's runs
   */
  exposureRunMarker: (day: string, executionName: string) =>
    `state/exposures/runs/${day}/${executionName}.json`,
  /** the prefix of the markers of `day` */
  exposureRunMarkers: (day: string) => `state/exposures/runs/${day}/`,
};
