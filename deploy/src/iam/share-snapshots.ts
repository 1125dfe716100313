import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets the forensics service share evidence snapshots, and only with `forensicsAccountId`: the
 * permission is limited to the customer-managed-key copies it made (tagged `ir:purpose=forensic
 * evidence` and `ir:kind=kms-copy` at creation: the service shares nothing else) and to adding that
 * one account (`ec2:Add/userId`, no group), so the role cannot be used to hand a snapshot to anyone
 * else (or make it public). Why sharing at all: a snapshot kept only in a member account dies with
 * that account.
 */
export function shareEvidenceSnapshots(forensicsAccountId: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ShareEvidenceSnapshotsWithForensicsAccount',
      actions: ['ec2:ModifySnapshotAttribute'],
      resources: [`arn:${Aws.PARTITION}:ec2:*::snapshot/*`],
      conditions: {
        StringEquals: {
          'aws:ResourceTag/ir:purpose': 'forensic evidence',
          'aws:ResourceTag/ir:kind': 'kms-copy',
          'ec2:Add/userId': forensicsAccountId,
        },
        Null: { 'ec2:Add/group': 'true' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ReadSnapshotSharing',
      actions: ['ec2:DescribeSnapshotAttribute'],
      resources: ['*'],
    }),
  ];
}
