/**
 * An IAM permission as the stack declares it: exact actions on exact resources, and, for a
 * resource with a wildcard, the reason the wildcard is needed (it becomes the cdk-nag
 * AwsSolutions-IAM5 acknowledgement, so the reason lives next to the grant).
 */
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { WildcardResource } from './nag';

export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringLike: { 's3:prefix': ['state/*'] } }` */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Required when a resource contains `*`: why nothing narrower works. */
  readonly wildcardReason?: string;
}

function hasWildcard(resource: string): boolean {
  // Tokens render as `${Token[...]}`; the literal parts around them are plain text.
  return resource.includes('*');
}

export function toStatement(permission: Permission): iam.PolicyStatement {
  for (const action of permission.actions) {
    if (action.includes('*') || Token.isUnresolved(action)) {
      throw new Error(`IAM action "${action}" must be a literal action name without wildcards`);
    }
  }
  return new iam.PolicyStatement({
    effect: iam.Effect.ALLOW,
    actions: [...permission.actions],
    resources: [...permission.resources],
    ...(permission.conditions ? { conditions: structuredClone(permission.conditions) } : {}),
  });
}

/** The wildcard resources of these permissions with their reasons; throws when a reason is missing. */
export function wildcardsOf(permissions: readonly Permission[]): WildcardResource[] {
  return permissions.flatMap((permission) =>
    permission.resources.filter(hasWildcard).map((resource) => {
      if (permission.wildcardReason === undefined || permission.wildcardReason.trim() === '') {
        throw new Error(
          `Permission ${permission.actions.join(', ')} uses a wildcard resource without a wildcardReason`,
        );
      }
      return { resource, reason: permission.wildcardReason };
    }),
  );
}
