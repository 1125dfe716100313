// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text, resolved by the unit under test
import { describe, expect, it } from 'vitest';
import { templateRoles } from '../../src/role-policies.js';
import { type CfnTemplate, createResolver, UnresolvableError } from '../../src/template-resolver.js';

const template: CfnTemplate = {
  Parameters: { RoleName: { Default: 'ir-response' }, SecurityAccountId: {} },
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ir-isolator' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'ir-incidents' } },
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: {
          'Fn::Join': ['', ['ir-evidence-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
        },
      },
    },
    Key: { Type: 'AWS::KMS::Key' },
    Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'ir-isolator-task' } },
    Rule: { Type: 'AWS::Events::Rule', Properties: { Name: 'ir-guardduty-findings' } },
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'Default',
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
            {
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/incidents/*']] },
            },
          ],
        },
      },
    },
    Act: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: 'ir-isolator-act',
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              Resource: { 'Fn::GetAtt': ['Key', 'Arn'] },
            },
            {
              Effect: 'Allow',
              Action: 'ec2:DescribeInstances',
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:instance/*' },
            },
          ],
        },
      },
    },
  },
};

describe('createResolver', () => {
  it('resolves pseudo parameters, joins and resource attributes to one deployment', () => {
    // Prepare
    const { resolve } = createResolver(template, { accountId: '111111111111', region: 'eu-west-1' });

    // Act
    const bucketArn = resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] });
    const queueUrl = resolve({ Ref: 'Queue' });
    const table = resolve({ 'Fn::GetAtt': ['Table', 'Arn'] });

    // Assess
    expect(bucketArn).toBe('arn:aws:s3:::ir-evidence-111111111111-eu-west-1');
    expect(queueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/ir-isolator');
    expect(table).toBe('arn:aws:dynamodb:eu-west-1:111111111111:table/ir-incidents');
  });

  it('resolves an EventBridge rule to its ARN, which queue policies compare aws:SourceArn with', () => {
    // Prepare
    const { attributeOf } = createResolver(template, { accountId: '111111111111', region: 'eu-west-1' });
    // Act
    const arn = attributeOf('Rule', 'Arn');
    // Assess
    expect(arn).toBe('arn:aws:events:eu-west-1:111111111111:rule/ir-guardduty-findings');
  });

  it('resolves both Fn::Sub forms, with variables, parameters and attribute references', () => {
    // Prepare
    const { resolve } = createResolver(template, {
      accountId: '222222222222',
      region: 'cn-north-1',
      parameters: { SecurityAccountId: '111111111111' },
    });

    // Act
    const short = resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${SecurityAccountId}:role/${RoleName}' });
    const long = resolve({
      'Fn::Sub': ['${Role.Arn} in ${Account}', { Account: { Ref: 'AWS::AccountId' } }],
    });

    // Assess
    expect(short).toBe('arn:aws-cn:iam::111111111111:role/ir-response');
    expect(long).toBe('arn:aws-cn:iam::222222222222:role/ir-isolator-task in 222222222222');
  });

  it('gives a key the same stand-in id wherever it is referenced, in KMS key ARN form', () => {
    // Prepare
    const { resolve } = createResolver(template, { accountId: '111111111111', region: 'us-east-1' });

    // Act
    const arn = resolve({ 'Fn::GetAtt': ['Key', 'Arn'] });
    const id = resolve({ Ref: 'Key' });

    // Assess
    expect(arn).toBe(`arn:aws:kms:us-east-1:111111111111:key/${String(id)}`);
    expect(String(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('fails loudly on a parameter without a value, an unknown reference or an unsupported intrinsic', () => {
    // Prepare
    const { resolve } = createResolver(template, { accountId: '111111111111', region: 'us-east-1' });

    // Act / Assess
    expect(() => resolve({ Ref: 'SecurityAccountId' })).toThrow(UnresolvableError);
    expect(() => resolve({ Ref: 'Nothing' })).toThrow(UnresolvableError);
    expect(() => resolve({ 'Fn::If': ['Cond', 'a', 'b'] })).toThrow(UnresolvableError);
  });
});

describe('templateRoles', () => {
  it('collects a role with its AWS::IAM::Policy and managed policies, resolved', () => {
    // Act
    const [role] = templateRoles(template, { accountId: '111111111111', region: 'us-east-1' });

    // Assess
    expect(role?.arn).toBe('arn:aws:iam::111111111111:role/ir-isolator-task');
    expect(role?.policies.map((policy) => policy.name)).toEqual(['Policy', 'ir-isolator-act']);
    expect(JSON.stringify(role?.policies)).not.toMatch(/Fn::|"Ref"/);
    expect(role?.policies[0]?.document.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::ir-evidence-111111111111-us-east-1/incidents/*',
    });
  });
});
