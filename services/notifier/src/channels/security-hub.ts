import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type Resource as AsffResource,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { resourceKey } from '@ir/contracts';
import { partitionOf } from '@ir/runtime';
import { DeliveryError } from '../errors.js';
import { type Notification, plainText, stageTitle, truncate } from '../format/notification.js';
import type { Channel } from './channel.js';

/** Settings of {@link securityHubChannel}. */
export interface SecurityHubSettings {
  readonly client: SecurityHubClient;
  /** The region of the hub (the system's own region). */
  readonly region: string;
  /** Our account: findings of the `default` product must be imported into the caller's account. */
  readonly homeAccountId: () => Promise<string>;
}

/** The finding's id: one record per incident, updated at every stage. */
export function responseFindingId(incidentId: string): string {
  return `ir-response/${incidentId}`;
}

/**
 * The resource the incident is about, as ASFF names it: `Other` with the resource's key for kinds
 * ASFF has no type for here, and with the incident id when the incident names no resource.
 */
export function asffResource(notification: Notification): AsffResource {
  const { accountId, region } = notification.target;
  const partition = partitionOf(region);
  const resource = notification.resource;
  const base = { Partition: partition as AsffResource['Partition'], Region: region };
  switch (resource?.kind) {
    case 'ec2-instance':
      return {
        ...base,
        Type: 'AwsEc2Instance',
        Id: `arn:${partition}:ec2:${region}:${accountId}:instance/${resource.instanceId}`,
      };
    case 's3-bucket':
      return { ...base, Type: 'AwsS3Bucket', Id: `arn:${partition}:s3:::${resource.bucketName}` };
    case 'iam-access-key':
      return {
        ...base,
        Type: 'AwsIamAccessKey',
        Id: resource.accessKeyId ?? resource.roleArn ?? resource.userName ?? resource.userType,
      };
    case 'other':
      return { ...base, Type: 'Other', Id: resource.id };
    default:
      return { ...base, Type: 'Other', Id: resource ? resourceKey(resource) : notification.incidentId };
  }
}

/**
 * Records the automated response as an ASFF finding, so the SIEM reading Security Hub sees it. One
 * finding per incident (`ir-response/<incidentId>`): each stage re-imports it with the stage, a
 * timestamp per stage reached (`ir/stage/<stage>`), and `CreatedAt` kept from the first import. The
 * import is verified by reading the finding back (`FailedCount` alone is not proof, TRAPS 16).
 */
export function securityHubChannel(settings: SecurityHubSettings): Channel {
  const { client } = settings;
  async function existing(id: string, signal: AbortSignal): Promise<AwsSecurityFinding | undefined> {
    const output = await client.send(
      new GetFindingsCommand({ Filters: { Id: [{ Value: id, Comparison: 'EQUALS' }] }, MaxResults: 100 }),
      { abortSignal: signal },
    );
    // Filtered again here: moto ignores GetFindings filters and returns every finding.
    return output.Findings?.find((finding) => finding.Id === id);
  }
  return {
    name: 'securityhub',
    maxAttempts: 1,
    async send(notification, signal) {
      const account = await settings.homeAccountId();
      const partition = partitionOf(settings.region);
      const id = responseFindingId(notification.incidentId);
      const previous = await existing(id, signal);
      const finding: AwsSecurityFinding = {
        SchemaVersion: '2018-10-08',
        Id: id,
        ProductArn: `arn:${partition}:securityhub:${settings.region}:${account}:product/${account}/default`,
        GeneratorId: 'aws-incident-response/automated-response',
        AwsAccountId: account,
        Types: ['Unusual Behaviors/Automated Incident Response'],
        CreatedAt: previous?.CreatedAt ?? notification.sentAt,
        UpdatedAt: notification.sentAt,
        Severity: { Label: notification.severityBand },
        Title: truncate(`Automated response: ${notification.summary}`, 256),
        Description: truncate(plainText(notification), 1024),
        Resources: [asffResource(notification)],
        RecordState: 'ACTIVE',
        ProductFields: {
          ...(previous?.ProductFields ?? {}),
          'ir/incidentId': notification.incidentId,
          'ir/correlationId': notification.correlationId,
          'ir/stage': notification.stage,
          'ir/stageTitle': stageTitle[notification.stage],
          'ir/targetAccountId': notification.target.accountId,
          [`ir/stage/${notification.stage}`]: notification.sentAt,
          ...(notification.ticketKey ? { 'ir/ticketKey': notification.ticketKey } : {}),
        },
      };
      const output = await client.send(new BatchImportFindingsCommand({ Findings: [finding] }), {
        abortSignal: signal,
      });
      const failed = output.FailedFindings?.[0];
      if ((output.FailedCount ?? 0) > 0 || failed) {
        throw new DeliveryError(
          'securityhub',
          `securityhub: import refused (${failed?.ErrorCode ?? 'unknown'}: ${failed?.ErrorMessage ?? ''})`,
          {
            retryable: false,
          },
        );
      }
      const stored = await existing(id, signal);
      if (
        stored?.UpdatedAt !== notification.sentAt ||
        stored.ProductFields?.['ir/stage'] !== notification.stage
      ) {
        throw new DeliveryError(
          'securityhub',
          'securityhub: the imported finding did not read back with this stage',
          {
            retryable: true,
          },
        );
      }
      return { detail: { findingId: id, created: previous === undefined } };
    },
  };
}
