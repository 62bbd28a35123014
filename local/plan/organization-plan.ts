/**
 * What `npm run plan` says and checks about organizations (`--org`): a configuration with
 * `organization.enabled` is planned with --org and only then, the settings the plan is built from,
 * its opening line, and the accounts it could not reach.
 */
import type { KeysweepConfig } from '../../functions/shared/config';
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { orgReaderRoleArn } from '../../functions/shared/organization';
import { ExitError } from '../cli';
import type { WorkflowRun } from '../run-workflow';
import type { HubIdentity } from './hub-identity';
import { plannedRoleName, type PlannedOrganization } from './read-only-policy';

const MAX_LISTED = 50;

/** The organization settings of a plan --org; refuses a configuration that does not enable them. */
export function plannedOrganization(config: KeysweepConfig): PlannedOrganization & { hubAccountId: string } {
  const org = config.organization;
  if (!org.enabled) {
    throw new ExitError(
      '--org plans an organization, but the configuration has organization.enabled false: set organization.enabled ' +
        '(with organizationId, hubAccountId and managementAccountId) in cdk.json or --config FILE',
      2,
    );
  }
  // The configuration's own check requires these once enabled (functions/shared/config.ts).
  if (org.organizationId === null || org.managementAccountId === null || org.hubAccountId === null) {
    throw new ExitError('organization.enabled needs organizationId, hubAccountId and managementAccountId', 2);
  }
  return {
    ...org,
    organizationId: org.organizationId,
    managementAccountId: org.managementAccountId,
    hubAccountId: org.hubAccountId,
  };
}

/** --org and organization.enabled go together: refuses either without the other. */
export function checkOrganizationOption(config: KeysweepConfig, org: boolean): void {
  if (org) {
    plannedOrganization(config);
    return;
  }
  if (config.organization.enabled) {
    throw new ExitError(
      'the configuration has organization.enabled: plan the organization with --org ' +
        '(or plan the credentials’ own account with organization.enabled false in --config FILE)',
      2,
    );
  }
}

/** The plan's first line: who it runs as, which accounts it reads and how. */
export function organizationPlanLine(org: PlannedOrganization, hub: HubIdentity, now: Date): string {
  const accounts =
    org.accounts === 'ALL'
      ? `every account of the organization, listed through the org reader role ${orgReaderRoleArn(org.managementAccountId)}`
      : `the ${org.accounts.length} accounts of organization.accounts (no Organizations call)`;
  const role =
    org.planPrincipals.length > 0
      ? `its read-only plan role ${plannedRoleName(org)} (organization.planPrincipals)`
      : `its role ${org.memberRoleName}`;
  return (
    `keysweep plan --org: hub ${hub.accountId} (from STS GetCallerIdentity, the account organization.hubAccountId names), ` +
    `as ${hub.arn}; organization ${org.organizationId}: ` +
    `${accounts}, each read through ${role}; read-only: IAM reads only, each member ` +
    `session narrowed to them, the report bucket and emails stay on this machine; keys judged as of ${now.toISOString()}`
  );
}

/** Why an organization plan listed no account, when the org reader role refused it. */
export function listingFailedLines(run: WorkflowRun, org: PlannedOrganization, hub: HubIdentity): string[] {
  if (org.accounts !== 'ALL' || run.organizationReport !== null) return [];
  const reader = orgReaderRoleArn(org.managementAccountId);
  if (!(run.error?.Cause ?? '').includes(reader)) return [];
  return [
    `  The organization could not be listed: the org reader role ${reader} could not be assumed as ${hub.arn}. ` +
      (org.planPrincipals.length > 0
        ? 'It trusts organization.planPrincipals once KeySweepManagement is redeployed with them, if one matches this principal; '
        : 'Its trust must allow this principal (keysweep deploys it trusting only the hub’s list-accounts function, ' +
          'and organization.planPrincipals once set); ') +
      'or plan a list of accounts (organization.accounts in --config), which needs no Organizations access.',
  ].map(redactAccessKeyIds);
}

/** The accounts the plan could not enter, each with STS's reason, and what to check. */
export function unreachableLines(run: WorkflowRun, org: PlannedOrganization, hub: HubIdentity): string[] {
  const unreachable = (run.organizationReport?.accounts ?? []).filter((a) => a.status === 'unreachable');
  if (unreachable.length === 0) return [];
  const trust =
    org.planPrincipals.length > 0
      ? 'the plan role must be deployed there (the StackSet and KeySweepManagement, redeployed since ' +
        'organization.planPrincipals was set) and one of planPrincipals must match this principal'
      : "its trust must allow this principal (the member role keysweep deploys trusts only the hub's functions; " +
        'set organization.planPrincipals and redeploy for a read-only plan role that trusts people)';
  const out = [
    `  Unreachable (${unreachable.length}): the role ${plannedRoleName(org)} could not be assumed there as ${hub.arn}: ` +
      `${trust}; ` +
      '`npm run plan -- --print-policy --org` prints what the credentials need:',
  ];
  for (const a of unreachable.slice(0, MAX_LISTED)) out.push(`    ${a.accountId} ${a.name}: ${a.reason}`);
  if (unreachable.length > MAX_LISTED)
    out.push(`    ... and ${unreachable.length - MAX_LISTED} more in report.json`);
  return out.map(redactAccessKeyIds);
}
