import { ownedDocumentsFor, SSM_DOCUMENT_KEYS, ssmDocumentNames } from '@ir/ssm-documents';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { forensicsActStatements } from '../src/iam/forensics-policy.js';
import { buildTestApp } from './build.js';

/** Every SendCommand statement of the template's policies (inline and managed), as JSON. */
function sendCommandStatements(template: Template): Array<{ Resource: unknown }> {
  const policies = {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
  return Object.values(policies)
    .flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument.Statement ?? []) as Array<{ Action: unknown; Resource: unknown }>,
    )
    .filter((statement) => JSON.stringify(statement.Action).includes('ssm:SendCommand'));
}

describe('owned SSM documents in the stacks', () => {
  let built: ReturnType<typeof buildTestApp>;
  beforeAll(() => {
    built = buildTestApp();
  }, 120_000);

  it('creates the three documents under the prefix in the system stack, from the shared definitions', () => {
    // Act
    const documents = Object.values(built.systemTemplate.findResources('AWS::SSM::Document'));
    // Assess
    expect(documents.map((d) => d.Properties.Name).sort()).toEqual(
      Object.values(ssmDocumentNames('ir')).sort(),
    );
    const collect = documents.find((d) => d.Properties.Name === 'ir-CollectVolatile');
    expect(collect?.Properties).toMatchObject({
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
      UpdateMethod: 'NewVersion',
      Content: JSON.parse(JSON.stringify(ownedDocumentsFor('x').CollectVolatile)),
    });
  });

  it('creates them in every member account too, memory uploads pinned to the EvidenceBucketName parameter', () => {
    // Act
    const documents = Object.values(built.memberTemplate.findResources('AWS::SSM::Document'));
    const parameters = built.memberTemplate.toJSON().Parameters as Record<
      string,
      { AllowedPattern?: string }
    >;
    // Assess
    expect(documents).toHaveLength(SSM_DOCUMENT_KEYS.length);
    expect(parameters.EvidenceBucketName?.AllowedPattern).toBe('^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$');
    const memory = JSON.stringify(documents.map((d) => d.Properties.Content));
    expect(memory).toContain('{"Ref":"EvidenceBucketName"}');
  });

  it('lets forensics send commands only with those documents, never AWS-RunShellScript', () => {
    // Act
    const statements = [
      ...sendCommandStatements(built.systemTemplate),
      ...sendCommandStatements(built.memberTemplate),
    ];
    const docs = forensicsActStatements({ partition: 'aws', evidenceKeyId: 'k', prefix: 'ir' })
      .map((s) => s.toJSON())
      .filter((s) => JSON.stringify(s.Action).includes('ssm:SendCommand'));
    // Assess
    expect(statements.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(statements)).not.toContain('AWS-RunShellScript');
    expect(JSON.stringify(statements)).toContain('document/ir-CaptureMemory');
    expect(docs).toEqual([
      expect.objectContaining({
        Resource: [
          'arn:aws:ssm:*:*:document/ir-CollectVolatile',
          'arn:aws:ssm:*:*:document/ir-CaptureMemory',
          'arn:aws:ssm:*:*:document/ir-CleanRoomAnalysis',
          'arn:aws:ec2:*:*:instance/*',
        ],
      }),
    ]);
  });
});
