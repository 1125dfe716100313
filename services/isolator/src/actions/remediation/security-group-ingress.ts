import {
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
import { hasErrorCode, OperatorActionRequiredError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import { authorizeIngressCommand, updateIngressDescriptionsCommand } from './operator-commands.js';
import {
  describeRule,
  IngressRecordTag,
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
 * rule. The revoked rules are written to the group's record tags first (`ir-record:*`, see
 * {@link IngressRecordTag}), so a repeated command (a lost answer, a retry after a partial failure)
 * reports every rule the first run revoked.
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
      tags[IngressRecordTag.revokedBy] === context.incidentId
        ? (jsonFromTags(IngressRecordTag.rulesPrefix, tags, RecordedRules, `security group ${groupId}`) ?? [])
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
      const ruleTags = jsonToTags(IngressRecordTag.rulesPrefix, revoked);
      recordedOnGroup = ruleTags !== undefined;
      const stale = earlier.length === 0 ? jsonTagKeys(IngressRecordTag.rulesPrefix, tags) : [];
      if (stale.length > 0) {
        // Another incident's record (its own step pre-state keeps it): never mix the two.
        await ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: stale.map((Key) => ({ Key })) }));
      }
      if (ruleTags) {
        await ec2.send(
          new CreateTagsCommand({
            Resources: [groupId],
            Tags: tagList({ [IngressRecordTag.revokedBy]: context.incidentId, ...ruleTags }),
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

/** The recorded rules as they are on the group now: missing, or back with another description. */
function unrestored(revoked: readonly RecordedIngressRule[], ingress: readonly SecurityGroupRule[]) {
  const exact = new Set(ingress.map((rule) => ruleSignature(rule)));
  const byLooseSignature = new Map(ingress.map((rule) => [ruleSignature(rule, false), rule]));
  const missing = revoked.filter((rule) => !byLooseSignature.has(ruleSignature(rule, false)));
  const otherDescription = revoked.filter(
    (rule) => byLooseSignature.has(ruleSignature(rule, false)) && !exact.has(ruleSignature(rule)),
  );
  const problems = [
    ...missing.map((rule) => `rule ${describeRule(rule)} is not back`),
    ...otherDescription.map(
      (rule) =>
        `rule ${describeRule(rule)} is back with description ${JSON.stringify(
          byLooseSignature.get(ruleSignature(rule, false))?.Description ?? '',
        )}, not ${JSON.stringify(rule.description ?? '')}`,
    ),
  ];
  return { missing, otherDescription, problems };
}

/**
 * `rollback.security-group-ingress`: verifies that the rules the containment revoked are back, and
 * never authorises them itself. Re-opening an administrative port to the world on a customer's group
 * weakens a control, so it is an operator's action: the isolator's roles may authorise ingress only on
 * its own isolation groups (a role that may open any group is what stolen credentials want, and IAM
 * cannot restrict `AuthorizeSecurityGroupIngress` by rule content). Every recorded rule back with its
 * description: succeeded with the rule set read, and the isolator's record tags removed. Otherwise
 * nothing changes and the step fails (`OperatorActionRequiredError`, not retried) with the AWS CLI
 * commands that put back exactly what is missing; rolling back again verifies.
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
    const ingress = (await readGroupRules(ec2, groupId)).filter((rule) => rule.IsEgress !== true);
    const { missing, otherDescription, problems } = unrestored(revoked, ingress);
    if (problems.length > 0) {
      const { region, accountId } = context.target;
      const commands = [
        ...(missing.length > 0 ? [authorizeIngressCommand(region, groupId, missing)] : []),
        ...(otherDescription.length > 0
          ? [updateIngressDescriptionsCommand(region, groupId, otherDescription)]
          : []),
      ];
      throw new OperatorActionRequiredError(
        // Commands before the problems: a long answer is cut at its end, and `detail` keeps all.
        `security group ${groupId} does not have ${problems.length} of the ${revoked.length} ingress rules ` +
          'its containment revoked, and the isolator does not re-open ingress on a group it did not create. ' +
          `If the rules were intended, an operator with rights in account ${accountId} runs:\n` +
          `${commands.join('\n')}\nthen requests the rollback again (irctl rollback ${context.incidentId}), ` +
          `which verifies the rules and removes the isolator's record tags. ${problems.join('; ')}`,
        commands,
        { groupId, problems },
      );
    }

    const recordKeys =
      tags[IngressRecordTag.revokedBy] === context.incidentId
        ? [IngressRecordTag.revokedBy, ...jsonTagKeys(IngressRecordTag.rulesPrefix, tags)]
        : [];
    const changes =
      recordKeys.length > 0
        ? [`remove the ${IngressRecordTag.revokedBy} and ${IngressRecordTag.rulesPrefix}* record tags`]
        : [];
    const verified = { ingressRules: normalisedIngress(ingress) };
    const rules = revoked.map(describeRule);
    if (recordKeys.length > 0) {
      await sendEc2Write(
        (dryRun) =>
          ec2.send(
            new DeleteTagsCommand({
              Resources: [groupId],
              Tags: recordKeys.map((Key) => ({ Key })),
              DryRun: dryRun,
            }),
          ),
        context.dryRun,
      );
    }
    if (context.dryRun) return succeeded({ groupId, dryRun: true, wouldChange: changes, rulesBack: rules });
    context.logger.info({ groupId, rules: rules.length }, 'security_group_ingress_restore_verified');
    return succeeded({ groupId, rulesBack: rules, changes }, { verified });
  };
}
