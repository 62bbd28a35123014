/** Reading cdk-nag acknowledgements and the wildcard resources they must match, for the nag tests. */
import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { flatten } from './build-stack';

export interface Acknowledgement {
  readonly path: string;
  readonly construct: IConstruct;
  readonly id: string;
  readonly reason: string;
}

export function acknowledgements(stack: Stack): Acknowledgement[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** The wildcard resources of the Allow statements of the IAM policies under `scope`, flattened. */
export function wildcardResources(scope: IConstruct): Set<string> {
  const stack = Stack.of(scope);
  const found = new Set<string>();
  for (const construct of scope.node.findAll()) {
    if (!(construct instanceof CfnPolicy)) continue;
    const document = stack.resolve(construct.policyDocument) as {
      Statement: { Effect: string; Resource: unknown }[];
    };
    for (const statement of document.Statement) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      if (statement.Effect !== 'Allow') continue;
      for (const resource of resources.map(flatten)) if (resource.includes('*')) found.add(resource);
    }
  }
  return found;
}
