import { describe, expect, it } from 'vitest';
import {
  EVIDENCE_DESTROYING_ACTIONS,
  EXISTING_RESOURCE_TAG_KEYS,
  guardStatements,
  TRAIL_STARTED_BY_TAG,
} from '../src/iam/guard-statements.js';
import { isolatorStatements } from '../src/iam/isolator-policy.js';
import type { PolicyStatementJson } from '../src/iam/policy-json.js';

const isolator = isolatorStatements('aws').map((s) => s.toJSON() as PolicyStatementJson);

function statement(sid: string): PolicyStatementJson {
  const found = isolator.find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`the isolator policy has no statement ${sid}`);
  return found;
}

describe('guardStatements (commodity remediation)', () => {
  it('denies StopLogging on every trail the isolator did not start itself', () => {
    // Act
    const denies = guardStatements({
      protectedRoleArns: ['arn:aws:iam::111122223333:role/ir-isolator-task'],
      existingResourceTagKeys: EXISTING_RESOURCE_TAG_KEYS.isolator,
    }).map((s) => s.toJSON());

    // Assess
    expect(EVIDENCE_DESTROYING_ACTIONS).not.toContain('cloudtrail:StopLogging');
    expect(EVIDENCE_DESTROYING_ACTIONS).toContain('cloudtrail:DeleteTrail');
    expect(denies).toContainEqual({
      Sid: 'DenyStopLoggingOnTrailsWeDidNotStart',
      Effect: 'Deny',
      Action: 'cloudtrail:StopLogging',
      Resource: '*',
      Condition: { Null: { [`aws:ResourceTag/${TRAIL_STARTED_BY_TAG}`]: 'true' } },
    });
  });
});

describe('isolatorStatements (commodity remediation)', () => {
  it('restores ingress only on groups the isolator revoked rules on, and scopes CloudTrail writes to trails', () => {
    // Act
    const restore = statement('AdminIngressRestoreOnlyWhereWeRevoked');
    const trails = statement('CloudTrailLoggingRemediation');

    // Assess
    expect(restore.Action).toBe('ec2:AuthorizeSecurityGroupIngress');
    expect(restore.Condition).toEqual({ Null: { 'aws:ResourceTag/ir:ingress-revoked-by': 'false' } });
    expect(statement('AdminIngressRevokeOnAnyGroup').Action).toBe('ec2:RevokeSecurityGroupIngress');
    expect(trails.Resource).toBe('arn:aws:cloudtrail:*:*:trail/*');
    expect(trails.Action).toEqual(
      expect.arrayContaining(['cloudtrail:StartLogging', 'cloudtrail:StopLogging']),
    );
  });
});
