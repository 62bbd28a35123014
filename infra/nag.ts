/**
 * cdk-nag acknowledgements, each with a specific reason. cdk-nag 3 reads CDK's own
 * `Validations.of(scope).acknowledge()` records; a finding with detail (AwsSolutions-IAM5) is
 * acknowledged by its full ID, e.g. `AwsSolutions-IAM5[Resource::<ReportBucket1234.Arn>/runs/*]`.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

export const IAM_WILDCARD_RULE = 'AwsSolutions-IAM5';

export interface WildcardResource {
  /** The resource as given to the policy statement (may hold tokens). */
  readonly resource: string;
  readonly reason: string;
}

/** Acknowledges one cdk-nag rule on `scope` and everything below it. */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}

/**
 * The finding cdk-nag reports for a wildcard resource, in its own notation (tokens flattened
 * to `<LogicalId.Attr>` / `<AWS::Partition>`), computed with cdk-nag's own helper.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}`;
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource of the policies under `scope`
 * (a role): one acknowledgement per finding, the reasons of the resources it covers joined.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  wildcards: readonly WildcardResource[],
): void {
  const reasons = new Map<string, string[]>();
  for (const { resource, reason } of wildcards) {
    const finding = wildcardResourceFinding(scope, resource);
    if (!finding.includes('*')) {
      throw new Error(`${finding} has no wildcard: there is nothing to acknowledge`);
    }
    const list = reasons.get(finding) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(finding, list);
  }
  for (const [finding, list] of reasons) {
    acknowledge(scope, `${IAM_WILDCARD_RULE}[${finding}]`, list.join(' '));
  }
}
