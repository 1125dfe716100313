import { describe, expect, it } from 'vitest';
import { type CallRecord, iamRequestsFor, UnmappedCallError } from '../../src/call-mapping.js';
import { callRecord } from '../support/call-record.js';

const call = (
  client: string,
  operation: string,
  input: Record<string, unknown>,
  extra: Partial<CallRecord> = {},
): CallRecord => callRecord('isolator', client, operation, input, extra);

describe('iamRequestsFor', () => {
  it('authorises ModifyNetworkInterfaceAttribute on the interface and on each group, with known tags', async () => {
    // Prepare
    const tagsOf = (arn: string): Record<string, string> =>
      arn.endsWith('sg-iso') ? { 'ir:managed-by': 'ir-isolator' } : {};

    // Act
    const requests = await iamRequestsFor(
      call('ec2', 'ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-1', Groups: ['sg-iso'] }),
      { tagsOf },
    );

    // Assess
    expect(requests).toEqual([
      {
        action: 'ec2:ModifyNetworkInterfaceAttribute',
        resource: 'arn:aws:ec2:us-east-1:111111111111:network-interface/eni-1',
        resourceAccount: '111111111111',
        context: {},
      },
      {
        action: 'ec2:ModifyNetworkInterfaceAttribute',
        resource: 'arn:aws:ec2:us-east-1:111111111111:security-group/sg-iso',
        resourceAccount: '111111111111',
        context: { 'aws:ResourceTag/ir:managed-by': 'ir-isolator' },
      },
    ]);
  });

  it('maps S3 uploads with Object Lock to PutObject and PutObjectRetention on the object', async () => {
    // Act
    const requests = await iamRequestsFor(
      call('s3', 'PutObject', {
        Bucket: 'ir-evidence',
        Key: 'incidents/i/a.json',
        ObjectLockMode: 'COMPLIANCE',
      }),
    );

    // Assess
    expect(requests.map((r) => [r.action, r.resource])).toEqual([
      ['s3:PutObject', 'arn:aws:s3:::ir-evidence/incidents/i/a.json'],
      ['s3:PutObjectRetention', 'arn:aws:s3:::ir-evidence/incidents/i/a.json'],
    ]);
  });

  it('maps SQS batches to their single actions on the queue named by the URL, in its account', async () => {
    // Act
    const [request] = await iamRequestsFor(
      call('sqs', 'SendMessageBatch', { QueueUrl: 'http://127.0.0.1:5000/333333333333/ir-coordinator' }),
    );

    // Assess
    expect(request).toMatchObject({
      action: 'sqs:SendMessage',
      resource: 'arn:aws:sqs:us-east-1:333333333333:ir-coordinator',
      resourceAccount: '333333333333',
    });
  });

  it('authorises each item of a DynamoDB transaction on its table', async () => {
    // Act
    const requests = await iamRequestsFor(
      call('dynamodb', 'TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'ir-incidents' } },
          { ConditionCheck: { TableName: 'ir-incidents' } },
        ],
      }),
    );

    // Assess
    expect(requests.map((r) => r.action)).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
    expect(requests[0]?.resource).toBe('arn:aws:dynamodb:us-east-1:111111111111:table/ir-incidents');
  });

  it('authorises a DynamoDB batch write on each table it names', async () => {
    // Act
    const requests = await iamRequestsFor(
      call('dynamodb', 'BatchWriteItem', {
        RequestItems: { 'ir-incidents': [{ DeleteRequest: { Key: {} } }], 'ir-other': [] },
      }),
    );

    // Assess
    expect(requests.map((r) => [r.action, r.resource])).toEqual([
      ['dynamodb:BatchWriteItem', 'arn:aws:dynamodb:us-east-1:111111111111:table/ir-incidents'],
      ['dynamodb:BatchWriteItem', 'arn:aws:dynamodb:us-east-1:111111111111:table/ir-other'],
    ]);
  });

  it('authorises RunInstances on what it creates and uses, tags at creation and the passed role', async () => {
    // Act
    const requests = await iamRequestsFor(
      call(
        'ec2',
        'RunInstances',
        {
          LaunchTemplate: { LaunchTemplateId: 'lt-1' },
          ImageId: 'ami-1',
          NetworkInterfaces: [{ SubnetId: 'subnet-1', Groups: ['sg-1'] }],
          IamInstanceProfile: { Name: 'profile' },
          TagSpecifications: [
            { ResourceType: 'instance', Tags: [{ Key: 'ir:purpose', Value: 'clean-room' }] },
          ],
        },
        { output: { Instances: [{ InstanceId: 'i-new' }] } },
      ),
      { profileRole: () => 'arn:aws:iam::111111111111:role/clean-room' },
    );

    // Assess
    const lt = 'arn:aws:ec2:us-east-1:111111111111:launch-template/lt-1';
    expect(requests).toContainEqual({
      action: 'ec2:RunInstances',
      resource: 'arn:aws:ec2:us-east-1:111111111111:instance/i-new',
      resourceAccount: '111111111111',
      context: {
        'ec2:LaunchTemplate': lt,
        'aws:RequestTag/ir:purpose': 'clean-room',
        'aws:TagKeys': ['ir:purpose'],
      },
    });
    expect(requests.map((r) => r.resource)).toEqual(
      expect.arrayContaining([
        'arn:aws:ec2:us-east-1::image/ami-1',
        'arn:aws:ec2:us-east-1:111111111111:subnet/subnet-1',
        'arn:aws:ec2:us-east-1:111111111111:security-group/sg-1',
        lt,
      ]),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({
        action: 'ec2:CreateTags',
        context: expect.objectContaining({ 'ec2:CreateAction': 'RunInstances' }),
      }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({
        action: 'iam:PassRole',
        resource: 'arn:aws:iam::111111111111:role/clean-room',
      }),
    );
  });

  it('names the document of SendCommand, AWS-owned ones in the caller account (iam-simulate needs one)', async () => {
    // Act
    const requests = await iamRequestsFor(
      call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-1'] }),
    );

    // Assess
    expect(requests.map((r) => r.resource)).toEqual([
      'arn:aws:ssm:us-east-1:111111111111:document/AWS-RunShellScript',
      'arn:aws:ec2:us-east-1:111111111111:instance/i-1',
    ]);
  });

  it('uses * only for actions AWS authorises on no resource type', async () => {
    // Act
    const [describe] = await iamRequestsFor(call('ec2', 'DescribeInstances', { InstanceIds: ['i-1'] }));
    const [attach] = await iamRequestsFor(
      call('iam', 'AttachRolePolicy', {
        RoleName: 'victim',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );

    // Assess
    expect(describe?.resource).toBe('*');
    expect(attach).toMatchObject({
      resource: 'arn:aws:iam::111111111111:role/victim',
      context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });
  });

  it('authorises a KMS copy of a snapshot as EBS asks for the key: via EC2, the grant for the copy', async () => {
    // Act
    const requests = await iamRequestsFor(
      call('ec2', 'CopySnapshot', {
        SourceSnapshotId: 'snap-1',
        KmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/k',
      }),
    );

    // Assess
    const kms = requests.filter((r) => r.action.startsWith('kms:'));
    expect(kms.map((r) => r.action)).toEqual([
      'kms:CreateGrant',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:Decrypt',
    ]);
    for (const request of kms) {
      expect(request.context).toMatchObject({ 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' });
      expect(request.resource).toBe('arn:aws:kms:us-east-1:111111111111:key/k');
    }
    expect(kms[0]?.context).toMatchObject({ 'kms:GrantIsForAWSResource': 'true' });
    expect(kms.slice(1).some((r) => r.context && 'kms:GrantIsForAWSResource' in r.context)).toBe(false);
  });

  it('gives AssumeRole the external id and session name the role’s trust tests, in the role’s account', async () => {
    // Act
    const [request] = await iamRequestsFor(
      call('sts', 'AssumeRole', {
        RoleArn: 'arn:aws:iam::222222222222:role/ir-forensics-response',
        ExternalId: 'external-id',
        RoleSessionName: 'ir-inc-1',
      }),
    );

    // Assess
    expect(request).toEqual({
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::222222222222:role/ir-forensics-response',
      resourceAccount: '222222222222',
      context: { 'sts:ExternalId': 'external-id', 'sts:RoleSessionName': 'ir-inc-1' },
    });
  });

  it('authorises the Lambda family calls on the function (tag keys as aws:TagKeys) and on the mapping', async () => {
    // Act
    const [tag] = await iamRequestsFor(
      call('lambda', 'TagResource', {
        Resource: 'arn:aws:lambda:us-east-1:111111111111:function:invoice-renderer',
        Tags: { 'ir-record:lambda-contained-by': 'inc-1' },
      }),
    );
    const [get] = await iamRequestsFor(
      call('lambda', 'GetFunction', { FunctionName: 'invoice-renderer', Qualifier: '7' }),
    );
    const [update] = await iamRequestsFor(
      call('lambda', 'UpdateEventSourceMapping', { UUID: 'a1b2c3d4-5678-90ab-cdef-11111EXAMPLE' }),
    );
    const [list] = await iamRequestsFor(call('lambda', 'ListEventSourceMappings', {}));
    // Assess
    expect(tag).toMatchObject({
      action: 'lambda:TagResource',
      resource: 'arn:aws:lambda:us-east-1:111111111111:function:invoice-renderer',
      context: { 'aws:TagKeys': ['ir-record:lambda-contained-by'] },
    });
    expect(get?.resource).toMatch(/:function:invoice-renderer:7$/);
    expect(update?.resource).toMatch(/:event-source-mapping:a1b2c3d4-5678-90ab-cdef-11111EXAMPLE$/);
    expect(list?.resource).toBe('*');
  });

  it('authorises RDS calls on each database and snapshot they name, and the create-time tags as AddTagsToResource', async () => {
    // Act
    const snapshot = await iamRequestsFor(
      call('rds', 'CreateDBSnapshot', {
        DBInstanceIdentifier: 'orders-db',
        DBSnapshotIdentifier: 'ir-inc-1-orders-db-0a1b2c3d4e',
        Tags: [{ Key: 'ir:incident-id', Value: 'inc-1' }],
      }),
    );
    const [modify] = await iamRequestsFor(
      call('rds', 'ModifyDBCluster', { DBClusterIdentifier: 'orders', VpcSecurityGroupIds: ['sg-0iso'] }),
    );
    const [untag] = await iamRequestsFor(
      call('rds', 'RemoveTagsFromResource', {
        ResourceName: 'arn:aws:rds:us-east-1:111111111111:db:orders-db',
        TagKeys: ['ir-record:rds-isolated-by'],
      }),
    );
    // Assess
    expect(snapshot.map((r) => `${r.action} ${r.resource}`)).toEqual([
      'rds:CreateDBSnapshot arn:aws:rds:us-east-1:111111111111:db:orders-db',
      'rds:CreateDBSnapshot arn:aws:rds:us-east-1:111111111111:snapshot:ir-inc-1-orders-db-0a1b2c3d4e',
      'rds:AddTagsToResource arn:aws:rds:us-east-1:111111111111:snapshot:ir-inc-1-orders-db-0a1b2c3d4e',
    ]);
    expect(snapshot[2]?.context).toMatchObject({ 'aws:TagKeys': ['ir:incident-id'] });
    expect(modify).toMatchObject({
      action: 'rds:ModifyDBCluster',
      resource: 'arn:aws:rds:us-east-1:111111111111:cluster:orders',
    });
    expect(untag).toMatchObject({
      resource: 'arn:aws:rds:us-east-1:111111111111:db:orders-db',
      context: { 'aws:TagKeys': ['ir-record:rds-isolated-by'] },
    });
  });

  it('authorises EKS calls on the cluster, node group and pod-identity association they name, and tag keys as aws:TagKeys', async () => {
    // Act
    const [describe] = await iamRequestsFor(call('eks', 'DescribeCluster', { name: 'payments' }));
    const [list] = await iamRequestsFor(
      call('eks', 'ListPodIdentityAssociations', { clusterName: 'payments' }),
    );
    const [nodegroup] = await iamRequestsFor(
      call('eks', 'DescribeNodegroup', { clusterName: 'payments', nodegroupName: 'workers' }),
    );
    const [association] = await iamRequestsFor(
      call('eks', 'DescribePodIdentityAssociation', {
        clusterName: 'payments',
        associationId: 'a-9njjin9gfghecgocd',
      }),
    );
    const [tag] = await iamRequestsFor(
      call('eks', 'TagResource', {
        resourceArn: 'arn:aws:eks:us-east-1:111111111111:cluster/payments',
        tags: { 'ir-record:eks-endpoint-restricted-by': 'inc-1' },
      }),
    );
    const [untag] = await iamRequestsFor(
      call('eks', 'UntagResource', {
        resourceArn: 'arn:aws:eks:us-east-1:111111111111:cluster/payments',
        tagKeys: ['ir-record:eks-endpoint-restricted-by'],
      }),
    );
    // Assess
    expect(describe?.resource).toBe('arn:aws:eks:us-east-1:111111111111:cluster/payments');
    expect(list?.resource).toBe('arn:aws:eks:us-east-1:111111111111:cluster/payments');
    expect(nodegroup?.resource).toBe('arn:aws:eks:us-east-1:111111111111:nodegroup/payments/workers/*');
    expect(association?.resource).toBe(
      'arn:aws:eks:us-east-1:111111111111:podidentityassociation/payments/a-9njjin9gfghecgocd',
    );
    expect(tag).toMatchObject({
      action: 'eks:TagResource',
      context: {
        'aws:RequestTag/ir-record:eks-endpoint-restricted-by': 'inc-1',
        'aws:TagKeys': ['ir-record:eks-endpoint-restricted-by'],
      },
    });
    expect(untag?.context).toEqual({ 'aws:TagKeys': ['ir-record:eks-endpoint-restricted-by'] });
    await expect(iamRequestsFor(call('eks', 'DeleteCluster', { name: 'payments' }))).rejects.toThrow(
      UnmappedCallError,
    );
  });

  it('authorises Security Hub v2 calls as their v1 actions on the v2 hub, and GuardDuty finding calls on *', async () => {
    // Act
    const [updateV2] = await iamRequestsFor(call('securityhub', 'BatchUpdateFindingsV2', {}));
    const [getV1] = await iamRequestsFor(call('securityhub', 'GetFindings', {}));
    const [archive] = await iamRequestsFor(call('guardduty', 'ArchiveFindings', { DetectorId: 'd-1' }));
    // Assess
    expect(updateV2).toMatchObject({
      action: 'securityhub:BatchUpdateFindings',
      resource: 'arn:aws:securityhub:us-east-1:111111111111:hubv2/*',
    });
    expect(getV1?.resource).toBe('arn:aws:securityhub:us-east-1:111111111111:hub/default');
    // GuardDuty's ArchiveFindings has no resource type in the Service Authorization Reference.
    expect(archive).toMatchObject({ action: 'guardduty:ArchiveFindings', resource: '*' });
  });

  it('refuses a call it has no mapping for, rather than passing it', async () => {
    // Act / Assess
    await expect(iamRequestsFor(call('lambda', 'Invoke', {}))).rejects.toThrow(UnmappedCallError);
  });
});
