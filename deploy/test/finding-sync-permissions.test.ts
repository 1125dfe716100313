import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../src/config.js';
import { buildTestApp } from './build.js';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

/** The statements attached to the notifier's task role, and the coordinator's container variables. */
function inspect(context: Record<string, unknown>) {
  const { system, systemTemplate } = buildTestApp(context);
  const roleId = Stack.of(system).getLogicalId(system.services.notifier.taskRole.node.defaultChild as never);
  const statements = Object.values(systemTemplate.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return { statements, coordinatorEnvironment: coordinatorEnvironment(systemTemplate) };
}

function coordinatorEnvironment(template: Template): Record<string, string> {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: { ContainerDefinitions: { Environment?: { Name: string; Value: unknown }[] }[] };
  }[];
  const variables = definitions
    .flatMap((definition) => definition.Properties.ContainerDefinitions)
    .map((container) => Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, e.Value])))
    .find((environment) => environment.IR_AUTH_MODE === 'oidc');
  return (variables ?? {}) as Record<string, string>;
}

describe('the finding sync in the system stack (deploy config findingSync, guardDutyArchiveFalsePositives)', () => {
  let off: ReturnType<typeof inspect>;
  let on: ReturnType<typeof inspect>;
  beforeAll(() => {
    off = inspect({});
    on = inspect({ findingSync: 'true', guardDutyArchiveFalsePositives: 'true' });
  }, 180_000);

  it('grants and configures nothing by default', () => {
    // Assess
    expect(off.statements.filter((s) => s.Sid?.startsWith('FindingSync'))).toEqual([]);
    expect(off.coordinatorEnvironment.IR_FINDING_SYNC).toBeUndefined();
  });

  it('turns the sync on in the coordinator and grants the notifier exactly its calls, in this account', () => {
    // Assess
    expect(on.coordinatorEnvironment).toMatchObject({
      IR_FINDING_SYNC: 'on',
      IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: 'true',
    });
    const sync = on.statements.filter((s) => s.Sid?.startsWith('FindingSync'));
    expect(sync.map((s) => [s.Sid, s.Action])).toEqual([
      ['FindingSyncSecurityHubWorkflow', ['securityhub:BatchUpdateFindings', 'securityhub:GetFindings']],
      [
        'FindingSyncGuardDutyArchive',
        ['guardduty:ArchiveFindings', 'guardduty:GetFindings', 'guardduty:ListDetectors'],
      ],
    ]);
    // Security Hub: this account's hubs only (v1 and v2), any region.
    const hubs = JSON.stringify(sync[0]?.Resource);
    expect(hubs).toContain(':securityhub:*:');
    expect(hubs).toContain('AWS::AccountId');
    expect(hubs).toContain(':hub/default');
    expect(hubs).toContain(':hubv2/*');
    // GuardDuty's finding calls support no resource-level permissions.
    expect(sync[1]?.Resource).toBe('*');
  });

  it('refuses archiving GuardDuty findings without the sync', () => {
    // Act, Assess
    expect(() => parseDeployConfig({ guardDutyArchiveFalsePositives: 'true' })).toThrow(/findingSync/);
  });
});
