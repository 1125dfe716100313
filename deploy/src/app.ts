import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEPLOY_CONTEXT_KEYS, type DeployConfig, parseDeployConfig, REMOVED_CONTEXT_KEYS } from './config.js';
import { MemberAccountStack } from './member-account-stack.js';
import { suppressMemberStackFindings, suppressSystemStackFindings } from './nag-suppressions.js';
import { IncidentResponseStack } from './system-stack.js';

export interface BuildAppOptions {
  readonly repoRoot: string;
  /** Parsed settings; read from the app's context when absent. */
  readonly config?: DeployConfig;
  readonly app?: App;
}

/** The two stacks of the app and the config they were built from. */
export interface BuiltApp {
  readonly app: App;
  readonly config: DeployConfig;
  readonly system: IncidentResponseStack;
  readonly member: MemberAccountStack;
}

/** Stack names: the system in the security account, the response role in every member account. */
export const STACK_IDS = { system: 'IncidentResponse', member: 'IncidentResponseMemberAccount' } as const;

/**
 * Builds the CDK app: both stacks, environment-agnostic, with cdk-nag's AwsSolutions pack applied
 * and every suppression (each with its reason) in nag-suppressions.ts. Both stacks take the act
 * policies from the same statements (deploy/src/iam), so a member role grants what the task roles do.
 */
export function buildApp(options: BuildAppOptions): BuiltApp {
  const app = options.app ?? new App();
  // Server access logs delivered through a bucket policy, not the legacy LogDeliveryWrite ACL.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const config = options.config ?? parseDeployConfig(contextOf(app));
  const system = new IncidentResponseStack(app, STACK_IDS.system, {
    config,
    repoRoot: options.repoRoot,
    description:
      'Automated incident response: queues, table, evidence store, EventBridge rules, ECS Fargate services',
  });
  const member = new MemberAccountStack(app, STACK_IDS.member, {
    organizationId: config.organizationId,
    // A plain template for StackSets: member accounts are not CDK-bootstrapped.
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    analyticsReporting: false,
    description:
      'Incident response: the isolator and forensics response roles the security account assumes (deploy with StackSets)',
  });
  suppressSystemStackFindings(system);
  suppressMemberStackFindings(member);
  // cdk-nag 3 runs as a policy-validation plugin: synthesis fails on any unacknowledged finding, and
  // acknowledgements are written into the templates' Metadata (cdk_nag) as an audit trail.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, config, system, member };
}

function contextOf(app: App): Record<string, unknown> {
  const keys = [...DEPLOY_CONTEXT_KEYS, ...Object.keys(REMOVED_CONTEXT_KEYS)];
  return Object.fromEntries(keys.map((key) => [key, app.node.tryGetContext(key) as unknown]));
}
