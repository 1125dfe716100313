import { z } from 'zod';
import { AccountId, AwsRegion } from './primitives.js';

/**
 * How Security Hub addresses its own copy of a finding: v1 (ASFF, `BatchUpdateFindings`) by product
 * ARN and finding id; v2 (OCSF, `BatchUpdateFindingsV2`) by `metadata.uid`. Why the format is kept:
 * both arrive as `source: securityhub`, and each format has its own update and read APIs.
 */
export const SecurityHubFindingRef = z.discriminatedUnion('api', [
  z.object({ api: z.literal('v1'), productArn: z.string().min(1), id: z.string().min(1) }),
  z.object({ api: z.literal('v2'), metadataUid: z.string().min(1) }),
]);
/** @see SecurityHubFindingRef */
export type SecurityHubFindingRef = z.infer<typeof SecurityHubFindingRef>;

/**
 * Where a finding's own workflow lives, set by the parser that knows the format. Why on the
 * normalised finding: `raw` may be dropped when a finding is too large to forward, and only the
 * parser knows whether a `securityhub` finding was ASFF or OCSF. `guardDutyFindingId` is GuardDuty's
 * id of the finding (GuardDuty produced it), the id `ArchiveFindings` takes.
 */
export const FindingWorkflowRef = z.object({
  securityHub: SecurityHubFindingRef.optional(),
  guardDutyFindingId: z.string().min(1).optional(),
});
/** @see FindingWorkflowRef */
export type FindingWorkflowRef = z.infer<typeof FindingWorkflowRef>;

/** {@link FindingWorkflowRef} with the account and region of the finding, as the incident keeps it. */
export const FindingWorkflowTarget = FindingWorkflowRef.extend({ accountId: AccountId, region: AwsRegion });
/** @see FindingWorkflowTarget */
export type FindingWorkflowTarget = z.infer<typeof FindingWorkflowTarget>;

/** A GuardDuty finding ARN: `arn:<partition>:guardduty:<region>:<account>:detector/<id>/finding/<id>`. */
const GUARDDUTY_FINDING_ARN =
  /^arn:aws[a-z-]*:guardduty:[a-z0-9-]+:\d{12}:detector\/[A-Za-z0-9]+\/finding\/([A-Za-z0-9]+)$/;

/** GuardDuty's finding id in a GuardDuty finding ARN, or `undefined` when `arn` is not one. */
export function guardDutyFindingIdOf(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : GUARDDUTY_FINDING_ARN.exec(arn)?.[1];
}

/** `cn-north-1` → `aws-cn`; GovCloud → `aws-us-gov`; else `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The product ARN Security Hub files GuardDuty's findings under in `region`. Why: GuardDuty findings
 * that reach us from EventBridge are also in Security Hub (ASFF), with the GuardDuty ARN as `Id`.
 */
export function guardDutyProductArn(region: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}::product/aws/guardduty`;
}
