import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '../src/config.js';
import { buildTestApp } from './build.js';

const { system, systemTemplate: template } = buildTestApp();

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };
const roleLogicalId = (service: ServiceName) =>
  Stack.of(system).getLogicalId(system.services[service].taskRole.node.defaultChild as never);

/** Every statement attached to a task role: its default policy and any managed policy listing it. */
function statementsOf(service: ServiceName, of: Template = template): Statement[] {
  const id = roleLogicalId(service);
  const policies = [
    ...Object.values(of.findResources('AWS::IAM::Policy')),
    ...Object.values(of.findResources('AWS::IAM::ManagedPolicy')),
  ] as { Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } } }[];
  return policies
    .filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(`"${id}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
const allowedActions = (service: ServiceName) =>
  statementsOf(service)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));

describe('IncidentResponseStack task roles', () => {
  it('gives each service a role of its own, named so member accounts can trust it', () => {
    // Prepare / Act: the stack is built once above.
    // Assess
    for (const service of SERVICE_NAMES) {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: `ir-${service}-task` });
    }
  });

  it('lets only the isolator and forensics assume member roles or touch EC2 and IAM', () => {
    // Prepare / Act: built above.
    // Assess
    for (const service of SERVICE_NAMES) {
      const actions = allowedActions(service);
      const acts = service === 'isolator' || service === 'forensics';
      expect(actions.includes('sts:AssumeRole'), service).toBe(acts);
      expect(
        actions.some((action) => action.startsWith('ec2:') || action.startsWith('iam:')),
        service,
      ).toBe(acts);
    }
  });

  it('gives the incident table only to detection and the coordinator', () => {
    // Prepare / Act: built above.
    // Assess
    for (const service of SERVICE_NAMES) {
      const usesTable = service === 'detection' || service === 'response-coordinator';
      expect(
        allowedActions(service).some((action) => action.startsWith('dynamodb:')),
        service,
      ).toBe(usesTable);
    }
    expect(allowedActions('detection')).not.toContain('dynamodb:DeleteItem');
  });

  it('lets detection send only to the coordinator queue, never straight to a worker', () => {
    // Prepare / Act
    const sends = statementsOf('detection').filter((statement) =>
      (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).includes('sqs:SendMessage'),
    );
    // Assess
    const resources = JSON.stringify(sends.map((statement) => statement.Resource));
    expect(resources).toMatch(/Queuescoordinator/);
    expect(resources).not.toMatch(/Queuesisolator|Queuesforensics|Queuesnotifier/);
  });

  it('denies the isolator any change to the system’s own task roles', () => {
    // Prepare / Act
    const deny = statementsOf('isolator').find((statement) => statement.Sid === 'DenyChangesToSystemRoles');
    // Assess
    expect(deny?.Effect).toBe('Deny');
    expect(JSON.stringify(deny?.Resource)).toContain(':role/ir-isolator-task');
    expect(deny?.Action).toEqual(expect.arrayContaining(['iam:PutRolePolicy', 'iam:AttachRolePolicy']));
  });

  it('lets the coordinator read the evidence for incident reports, and never write it', () => {
    // Prepare / Act
    const actions = allowedActions('response-coordinator');
    const reads = statementsOf('response-coordinator').find((s) => s.Sid === 'ReadEvidenceForReports');
    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(['s3:GetObjectVersion', 's3:ListBucketVersions', 'kms:Decrypt']),
    );
    expect(
      actions.filter((action) => /^s3:(Put|Delete|Bypass)|^kms:(Encrypt|GenerateDataKey)/.test(action)),
    ).toEqual([]);
    expect(JSON.stringify(reads?.Resource)).toContain('/incidents/*');
  });
});

describe('IncidentResponseStack notifier role', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ir-notifications';
  let configured: Template;
  beforeAll(() => {
    // `yes`, not `true`: every value the notifier reads as on must bring its grant.
    configured = buildTestApp({
      notifierEnvironment: { IR_SNS_TOPIC_ARN: TOPIC, IR_SECURITYHUB_ENABLED: 'yes' },
    }).systemTemplate;
  }, 180_000);

  it('gives the notifier no SNS or Security Hub access while those channels are off', () => {
    // Prepare / Act: the default stack, built above.
    // Assess
    expect(allowedActions('notifier').filter((action) => /^(sns|securityhub):/.test(action))).toEqual([]);
  });

  it('lets the notifier publish to its topic and import and read back only its own findings', () => {
    // Prepare / Act
    const statements = statementsOf('notifier', configured).filter((s) =>
      /^(Publish|SecurityHub)/.test(s.Sid ?? ''),
    );
    // Assess
    const securityHub = (type: string) => ({
      'Fn::Join': ['', expect.arrayContaining([':securityhub:', { Ref: 'AWS::Region' }, type])],
    });
    expect(statements).toEqual([
      { Sid: 'PublishNotifications', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
      {
        Sid: 'SecurityHubImportOwnFindings',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: securityHub(':product/'),
      },
      {
        Sid: 'SecurityHubReadBackFindings',
        Effect: 'Allow',
        Action: 'securityhub:GetFindings',
        Resource: securityHub(':hub/default'),
      },
    ]);
  });
});
