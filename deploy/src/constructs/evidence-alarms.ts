import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type EvidenceStore, KEY_DESTRUCTION_ACTIONS } from './evidence-store.js';

/** Settings of {@link EvidenceAlarms}. */
export interface EvidenceAlarmsProps {
  readonly prefix: string;
  readonly evidence: EvidenceStore;
  readonly alarmTopic: sns.ITopic;
  /** Roles whose evidence reads are expected: the forensics task role and the verifier (coordinator). */
  readonly expectedReaders: readonly iam.IRole[];
}

/** S3 calls that return an evidence object's content. */
export const EVIDENCE_READ_EVENTS = ['GetObject', 'SelectObjectContent'] as const;

/**
 * The break-glass alerts, to the alarm topic: any attempt (allowed or denied) to disable or schedule
 * the deletion of a KMS key in this account, and any read of an evidence object by a principal other
 * than the expected readers. Reads are S3 data events, which reach EventBridge only through a trail
 * that records them, so a single-region trail records the evidence bucket's object calls (reads and
 * writes, no management events) into the access-log bucket under `cloudtrail/`.
 */
export class EvidenceAlarms extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly keyDestruction: events.Rule;
  readonly unexpectedReads: events.Rule;

  constructor(scope: Construct, id: string, props: EvidenceAlarmsProps) {
    super(scope, id);
    const { evidence } = props;
    const alarm = new targets.SnsTopic(props.alarmTopic);

    this.keyDestruction = new events.Rule(this, 'KeyDestruction', {
      ruleName: `${props.prefix}-evidence-key-destruction`,
      description:
        'Any attempt to disable or schedule deletion of a KMS key in this account (the evidence key policy allows only the break-glass role)',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: KEY_DESTRUCTION_ACTIONS.map((action) => action.replace('kms:', '')),
        },
      },
      targets: [alarm],
    });

    this.trail = new cloudtrail.Trail(this, 'EvidenceAccessTrail', {
      trailName: `${props.prefix}-evidence-access`,
      bucket: evidence.accessLogs,
      s3KeyPrefix: 'cloudtrail',
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      managementEvents: cloudtrail.ReadWriteType.NONE,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
    this.trail.addS3EventSelector([{ bucket: evidence.bucket }], {
      readWriteType: cloudtrail.ReadWriteType.ALL,
      includeManagementEvents: false,
    });

    const expected = props.expectedReaders.map((role) => role.roleArn);
    this.unexpectedReads = new events.Rule(this, 'UnexpectedEvidenceReads', {
      ruleName: `${props.prefix}-evidence-unexpected-reads`,
      description:
        'An evidence object read by anyone but the forensics task role and the verifier (coordinator): break glass, or an intruder',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['s3.amazonaws.com'],
          eventName: [...EVIDENCE_READ_EVENTS],
          requestParameters: { bucketName: [evidence.bucket.bucketName] },
          // Users, root and federated principals have no session issuer: any of them alarms.
          $or: [
            { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
            { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': expected }] } } } },
          ],
        },
      },
      targets: [alarm],
    });
  }
}
