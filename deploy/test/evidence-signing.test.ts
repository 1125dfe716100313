import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../src/config.js';
import type { IncidentResponseStack } from '../src/system-stack.js';
import { buildTestApp } from './build.js';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
};
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const SYNTH_TIMEOUT_MS = 180_000;

describe('evidence signing key (TRAPS 25)', () => {
  let system: IncidentResponseStack;
  let template: Template;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    Stack.of(system).getLogicalId(construct.node.defaultChild as never);
  /** Every KMS action the role's policies allow on the signing key. */
  const kmsAllowedOnSigningKey = (service: ServiceName): string[] => {
    const role = logicalId(system.services[service].taskRole);
    const key = logicalId(system.evidence.signingKey);
    const policies = [
      ...Object.values(template.findResources('AWS::IAM::Policy')),
      ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
    ] as { Properties: { Roles?: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }[];
    return policies
      .filter((policy) => (policy.Properties.Roles ?? []).some((r) => r.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource ?? '').includes(key))
      .flatMap(actionsOf)
      .sort();
  };
  beforeAll(() => {
    const built = buildTestApp({});
    system = built.system;
    template = built.systemTemplate;
  }, SYNTH_TIMEOUT_MS);

  it('is an ECC_NIST_P256 SIGN_VERIFY key whose policy denies kms:Sign to all but the forensics task role', () => {
    // Prepare / Act
    const key = template.findResources('AWS::KMS::Key')[logicalId(system.evidence.signingKey)] as {
      Properties: { KeySpec: string; KeyUsage: string; KeyPolicy: { Statement: Statement[] } };
    };
    // Assess
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const deny = key.Properties.KeyPolicy.Statement.find((s) => s.Sid === 'OnlyForensicsMaySignManifests');
    expect(deny?.Effect).toBe('Deny');
    expect(deny?.Action).toBe('kms:Sign');
    expect(JSON.stringify(deny?.Condition)).toContain(':role/ir-forensics-task');
  });

  it('lets forensics sign and verify, the coordinator only verify, and no other service use it', () => {
    // Prepare / Act
    const granted = Object.fromEntries(
      (['detection', 'response-coordinator', 'isolator', 'forensics', 'notifier'] as const).map((service) => [
        service,
        kmsAllowedOnSigningKey(service),
      ]),
    );
    // Assess
    expect(granted).toEqual({
      detection: [],
      'response-coordinator': ['kms:Verify'],
      isolator: [],
      forensics: ['kms:Sign', 'kms:Verify'],
      notifier: [],
    });
  });
});
