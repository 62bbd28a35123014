/**
 * The member stack's template as the StackSet's TemplateBody: synthesized in an app of its own (so
 * it is not also a deployable stack of the main app) into a temporary folder, checked by cdk-nag like
 * every stack here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { KeysweepConfig } from '../functions/shared/config';
import { MemberStack } from './member-stack';

export const MEMBER_TEMPLATE_STACK = 'KeySweepMember';

/** TemplateBody's limit (CreateStackSet: "Maximum length of 51,200 bytes"). */
export const TEMPLATE_BODY_MAX_BYTES = 51200;

export interface MemberTemplate {
  readonly body: string;
  /** the template as an object, for tests and the local runner */
  readonly template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

export function synthesizeMemberTemplate(config: KeysweepConfig, version: string): MemberTemplate {
  // An explicit outdir: under `cdk synth` the CLI's CDK_OUTDIR would make this app overwrite cdk.out.
  const outdir = mkdtempSync(path.join(tmpdir(), 'keysweep-member-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    new MemberStack(app, MEMBER_TEMPLATE_STACK, {
      stackName: MEMBER_TEMPLATE_STACK,
      description: `keysweep ${version}: the member role the keysweep hub assumes in this account`,
      config,
      version,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const template = app.synth().getStackByName(MEMBER_TEMPLATE_STACK).template as MemberTemplate['template'];
    const body = JSON.stringify(template);
    if (Buffer.byteLength(body) > TEMPLATE_BODY_MAX_BYTES) {
      throw new Error(
        `The member template has ${Buffer.byteLength(body)} bytes; TemplateBody allows ${TEMPLATE_BODY_MAX_BYTES}`,
      );
    }
    return { body, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
