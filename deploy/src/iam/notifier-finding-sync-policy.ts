import * as iam from 'aws-cdk-lib/aws-iam';

/** Which parts of the finding sync a deployment turns on (deploy config). */
export interface FindingSyncGrants {
  /** `findingSync` (the coordinator's `IR_FINDING_SYNC=on`): Security Hub workflow updates. */
  readonly securityHub: boolean;
  /** `guardDutyArchiveFalsePositives`: GuardDuty archive of a false positive's findings. */
  readonly guardDutyArchive: boolean;
}

/**
 * The notifier's finding sync (services/notifier/src/finding-sync): from the security account, the
 * Security Hub and GuardDuty administrator, in whichever region a finding lives (so any region, this
 * account only). Security Hub authorises `BatchUpdateFindings(V2)` as `securityhub:BatchUpdateFindings`
 * and `GetFindings(V2)` as `securityhub:GetFindings`, on the hub (`hub/default`) or the v2 hub
 * (`hubv2/<id>`, an id not known here). GuardDuty's `ArchiveFindings`, `GetFindings` and
 * `ListDetectors` support no resource-level permissions (Service Authorization Reference): `*`.
 * Written once here; docs/iam/notifier-finding-sync-policy.json is generated from it (`pnpm docs:iam`).
 */
export function notifierFindingSyncStatements(
  refs: { readonly partition: string; readonly account: string },
  grants: FindingSyncGrants,
): iam.PolicyStatement[] {
  return [
    ...(grants.securityHub
      ? [
          new iam.PolicyStatement({
            sid: 'FindingSyncSecurityHubWorkflow',
            actions: ['securityhub:BatchUpdateFindings', 'securityhub:GetFindings'],
            resources: [
              `arn:${refs.partition}:securityhub:*:${refs.account}:hub/default`,
              `arn:${refs.partition}:securityhub:*:${refs.account}:hubv2/*`,
            ],
          }),
        ]
      : []),
    ...(grants.guardDutyArchive
      ? [
          new iam.PolicyStatement({
            sid: 'FindingSyncGuardDutyArchive',
            actions: ['guardduty:ArchiveFindings', 'guardduty:GetFindings', 'guardduty:ListDetectors'],
            resources: ['*'],
          }),
        ]
      : []),
  ];
}
