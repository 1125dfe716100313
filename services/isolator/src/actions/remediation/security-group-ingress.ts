import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  adminPortsOpenedBy,
  normalisedIngress,
  type RecordedIngressRule,
  recordRule,
  ruleSignature,
  worldOpenAdminRules,
} from '../../aws/admin-ingress-rules.js';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { jsonFromTags, jsonTagKeys, jsonToTags } from '../../aws/json-tags.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { tagList } from '../../aws/tags.js';
import { hasErrorCode, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import {
  describeRule,
  IngressTag,
  permissionOf,
  RecordedRules,
  readGroupRules,
  readGroupTags,
  type SecurityGroupIngressPreState,
  SecurityGroupIngressPreState as PreStateSchema,
} from './security-group-state.js';

/** Recorded rules first, then the new ones, once per rule id. */
function mergeRules(
  earlier: readonly RecordedIngressRule[],
  now: readonly RecordedIngressRule[],
): RecordedIngressRule[] {
  const ids = new Set(earlier.map((rule) => rule.securityGroupRuleId));
  return [...earlier, ...now.filter((rule) => !ids.has(rule.securityGroupRuleId))];
}

/** What is wrong with the group after the revoke: an admin port still open, or a kept rule gone. */
function containProblems(
  after: readonly SecurityGroupRule[],
  kept: readonly SecurityGroupRule[],
  ports: readonly number[],
): string[] {
  const afterIds = new Set(after.map((rule) => rule.SecurityGroupRuleId));
  return [
    ...worldOpenAdminRules(after, ports).map(
      (rule) =>
        `rule ${rule.SecurityGroupRuleId} still opens port ${adminPortsOpenedBy(rule, ports).join(', ')} to ${rule.CidrIpv4 ?? rule.CidrIpv6}`,
    ),
    ...kept
      .filter((rule) => !afterIds.has(rule.SecurityGroupRuleId))
      .map((rule) => `rule ${rule.SecurityGroupRuleId}, which was to be kept, is gone`),
  ];
}

/**
 * `contain.security-group-ingress`: revokes exactly the ingress rules that open an administrative
 * port (`IR_ADMIN_PORTS` plus the command's `ports`) to 0.0.0.0/0 or ::/0, and keeps every other
 * rule. The revoked rules are written to the group's tags first, so a repeated command (a lost
 * answer, a retry after a partial failure) reports every rule the first run revoked.
 */
export function containSecurityGroupIngress(deps: ActionDeps): StepHandler<'contain.security-group-ingress'> {
  return async ({ groupId, ports: extraPorts = [] }, context) => {
    const ports = [...new Set([...deps.config.IR_ADMIN_PORTS, ...extraPorts])].sort((a, b) => a - b);
    const ec2 = await context.client(EC2Client);
    const tags = await readGroupTags(ec2, groupId);
    const before = (await readGroupRules(ec2, groupId)).filter((rule) => rule.IsEgress !== true);
    const open = worldOpenAdminRules(before, ports);
    const openIds = new Set(open.map((rule) => rule.SecurityGroupRuleId));
    const kept = before.filter((rule) => !openIds.has(rule.SecurityGroupRuleId));
    const earlier =
      tags[IngressTag.revokedBy] === context.incidentId
        ? (jsonFromTags(IngressTag.rulesPrefix, tags, RecordedRules, `security group ${groupId}`) ?? [])
        : [];
    const revoked = mergeRules(earlier, open.map(recordRule));
    const preState: SecurityGroupIngressPreState = { groupId, ports, revoked };
    const changes = open.map((rule) => `revoke ingress ${describeRule(recordRule(rule))}`);
    const revoke = (dryRun: boolean) =>
      ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          SecurityGroupRuleIds: [...openIds].filter((id): id is string => id !== undefined),
          DryRun: dryRun,
        }),
      );
    if (context.dryRun) {
      if (open.length > 0) await sendEc2Write(revoke, true);
      return succeeded({ groupId, ports, dryRun: true, wouldChange: changes }, { preState });
    }

    let recordedOnGroup = true;
    if (open.length > 0) {
      const ruleTags = jsonToTags(IngressTag.rulesPrefix, revoked);
      recordedOnGroup = ruleTags !== undefined;
      const stale = earlier.length === 0 ? jsonTagKeys(IngressTag.rulesPrefix, tags) : [];
      if (stale.length > 0) {
        // Another incident's record (its own step pre-state keeps it): never mix the two.
        await ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: stale.map((Key) => ({ Key })) }));
      }
      if (ruleTags) {
        await ec2.send(
          new CreateTagsCommand({
            Resources: [groupId],
            Tags: tagList({ [IngressTag.revokedBy]: context.incidentId, ...ruleTags }),
          }),
        );
      }
      try {
        await sendEc2Write(revoke, false);
      } catch (error: unknown) {
        // Another actor removed one of them meanwhile: the read-back below decides.
        if (!hasErrorCode(error, 'InvalidPermission.NotFound')) throw error;
      }
    }

    const readBack = await readBackUntilVerified(
      async () => {
        const after = await readGroupRules(ec2, groupId);
        return { observed: after, problems: containProblems(after, kept, ports) };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`revoke of admin-port ingress on ${groupId}`, readBack.problems, {
        groupId,
      });
    }
    context.logger.info(
      { groupId, revoked: revoked.length, kept: kept.length },
      'security_group_ingress_revoked',
    );
    return succeeded(
      {
        groupId,
        ports,
        revoked: revoked.map(describeRule),
        kept: kept.length,
        changes,
        ...(recordedOnGroup
          ? {}
          : { note: 'too many rules to record on the group; the step pre-state holds them' }),
      },
      { preState, verified: { worldOpenAdminRules: 0, ingressRules: normalisedIngress(readBack.observed) } },
    );
  };
}

/**
 * `rollback.security-group-ingress`: authorises exactly the recorded rules again, with their
 * descriptions, and reads the group back. A rule already present (put back by hand, or by an earlier
 * rollback) is left as it is; one present with another description is reported, not replaced.
 */
export function rollbackSecurityGroupIngress(): StepHandler<'rollback.security-group-ingress'> {
  return async (params, context) => {
    const { groupId, revoked } = parsePreState(
      PreStateSchema,
      params.preState,
      'rollback.security-group-ingress',
    );
    const ec2 = await context.client(EC2Client);
    const tags = await readGroupTags(ec2, groupId);
    const current = await readGroupRules(ec2, groupId);
    const exact = new Set(current.filter((r) => r.IsEgress !== true).map((r) => ruleSignature(r)));
    const loose = new Set(current.filter((r) => r.IsEgress !== true).map((r) => ruleSignature(r, false)));
    const missing = revoked.filter((rule) => !loose.has(ruleSignature(rule, false)));
    const notRestored = revoked
      .filter((rule) => loose.has(ruleSignature(rule, false)) && !exact.has(ruleSignature(rule)))
      .map((rule) => ({ item: describeRule(rule), reason: 'present with another description; left alone' }));
    const ourTags = tags[IngressTag.revokedBy] === context.incidentId;
    const changes = [
      ...missing.map((rule) => `authorise ingress ${describeRule(rule)}`),
      ...(ourTags ? [`remove the ${IngressTag.revokedBy} and ${IngressTag.rulesPrefix}* tags`] : []),
    ];
    const authorise = (dryRun: boolean) =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: missing.map(permissionOf),
          DryRun: dryRun,
        }),
      );
    if (context.dryRun) {
      if (missing.length > 0) await sendEc2Write(authorise, true);
      return succeeded({ groupId, dryRun: true, wouldChange: changes, notRestored });
    }
    if (missing.length > 0) await sendEc2Write(authorise, false);

    const skipped = new Set(notRestored.map((entry) => entry.item));
    const readBack = await readBackUntilVerified(
      async () => {
        const after = await readGroupRules(ec2, groupId);
        const present = new Set(after.filter((r) => r.IsEgress !== true).map((r) => ruleSignature(r)));
        const problems = revoked
          .filter((rule) => !skipped.has(describeRule(rule)) && !present.has(ruleSignature(rule)))
          .map((rule) => `rule ${describeRule(rule)} is not back`);
        return { observed: after, problems };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`restore of ingress rules on ${groupId}`, readBack.problems, {
        groupId,
      });
    }
    if (ourTags) {
      const keys = [IngressTag.revokedBy, ...jsonTagKeys(IngressTag.rulesPrefix, tags)];
      await ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: keys.map((Key) => ({ Key })) }));
    }
    context.logger.info({ groupId, restored: missing.length }, 'security_group_ingress_restored');
    return succeeded(
      { groupId, restored: missing.map(describeRule), notRestored, changes },
      { verified: { ingressRules: normalisedIngress(readBack.observed) } },
    );
  };
}
