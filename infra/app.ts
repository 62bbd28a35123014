/**
 * The keysweep CDK app (run by `cdk synth` / `cdk deploy` through tsx, see cdk.json): reads the
 * configuration from the `keysweep` context, builds the KeySweep stack (and, for an organization,
 * the StackSet and management-account stacks: stacks.ts) and checks them with the cdk-nag AWS
 * Solutions rules, so a new finding fails synthesis.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/shared/config';
import { configFromContext } from './config';
import { buildStacks } from './stacks';
import { buildVersion } from './version';

function main(): void {
  const app = new App();
  const config = configFromContext(app);
  buildStacks(app, config, buildVersion(), {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) {
    // A configuration mistake is the user's to fix: show the message, not a stack trace.
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
