import type { Finding, IamAccessKeyResource } from '@ir/contracts';

/**
 * The CloudTrail trail a finding names: the trail GuardDuty's API call affected
 * (`affectedResources["AWS::CloudTrail::Trail"]`), else a Security Hub `AwsCloudTrailTrail`
 * resource. `undefined` when the finding names none (CloudTrail.1/.3 name the account): the
 * isolator then restarts every trail of the region that is not logging.
 */
export function trailOf(finding: Finding): string | undefined {
  const affected = finding.apiCall?.affectedResources?.['AWS::CloudTrail::Trail'];
  if (affected) return affected;
  for (const resource of finding.resources) {
    if (resource.kind === 'other' && resource.resourceType === 'AwsCloudTrailTrail') return resource.id;
  }
  return undefined;
}

/**
 * The principal that made the finding's API call (its first IAM principal). Why finding-level, not
 * a `principal` fan-out: a remediation that names the actor must still run when the finding names
 * none (a Security Hub control finding).
 */
export function actorOf(finding: Finding): IamAccessKeyResource | undefined {
  for (const resource of finding.resources) if (resource.kind === 'iam-access-key') return resource;
  return undefined;
}
