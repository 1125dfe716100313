import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ContainmentRefusedError, hasErrorCode, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { findAcl } from './find-acl.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';

/** What `contain.block-ip` added: rollback removes exactly these entries. */
export const BlockIpPreState = z.object({
  networkAclId: z.string().min(1),
  cidr: z.string().min(1),
  ruleNumber: z.number().int().positive(),
});
/** @see BlockIpPreState */
export type BlockIpPreState = z.infer<typeof BlockIpPreState>;

const isV6 = (cidr: string) => cidr.includes(':');
const cidrOf = (entry: NetworkAclEntry) => (entry.Ipv6CidrBlock ?? entry.CidrBlock ?? '').toLowerCase();

/** Whether an entry is our deny of `cidr` in one direction. */
function isOurDeny(entry: NetworkAclEntry, cidr: string, egress: boolean): boolean {
  return (
    entry.Egress === egress &&
    entry.RuleAction === 'deny' &&
    entry.Protocol === '-1' &&
    cidrOf(entry) === cidr.toLowerCase()
  );
}

/**
 * The rule number to use: one already holding our deny of this CIDR in the reserved range (a repeat),
 * else the lowest number in the range free both inbound and outbound. Never an existing rule's number.
 */
export function chooseRuleNumber(
  entries: readonly NetworkAclEntry[],
  cidr: string,
  range: { min: number; max: number },
): { ruleNumber: number; existing: boolean } | undefined {
  const inRange = (n: number | undefined) => n !== undefined && n >= range.min && n <= range.max;
  const mine = entries.find((entry) => inRange(entry.RuleNumber) && isOurDeny(entry, cidr, false));
  if (mine?.RuleNumber !== undefined) return { ruleNumber: mine.RuleNumber, existing: true };
  const used = new Set(entries.map((entry) => entry.RuleNumber));
  for (let n = range.min; n <= range.max; n++) if (!used.has(n)) return { ruleNumber: n, existing: false };
  return undefined;
}

/**
 * `contain.block-ip`: denies the CIDR in the subnet's network ACL, inbound and outbound, at the lowest
 * free rule number of the isolator's reserved range (evaluated before the usual allow rules). A
 * stronger, approval-gated option than security groups (TRAPS 2).
 */
export function containBlockIp(deps: ActionDeps): StepHandler<'contain.block-ip'> {
  return async (params, context) => {
    const ec2 = await context.client(EC2Client);
    const acl = await findAcl(ec2, params);
    const networkAclId = acl.NetworkAclId ?? '';
    const entries = acl.Entries ?? [];
    const range = { min: deps.config.IR_NACL_RULE_MIN, max: deps.config.IR_NACL_RULE_MAX };
    const chosen = chooseRuleNumber(entries, params.cidr, range);
    if (!chosen) {
      throw new ContainmentRefusedError(
        `network ACL ${networkAclId} has no free rule number in ${range.min}–${range.max}; free one or widen IR_NACL_RULE_MIN/MAX`,
        { networkAclId },
      );
    }
    const { ruleNumber } = chosen;
    const preState: BlockIpPreState = { networkAclId, cidr: params.cidr, ruleNumber };
    const missing = [false, true].filter(
      (egress) => !entries.some((e) => e.RuleNumber === ruleNumber && isOurDeny(e, params.cidr, egress)),
    );
    const changes = missing.map(
      (egress) =>
        `deny ${params.cidr} ${egress ? 'outbound' : 'inbound'} at rule ${ruleNumber} of ${networkAclId}`,
    );
    if (context.dryRun)
      return succeeded({ networkAclId, ruleNumber, dryRun: true, wouldChange: changes }, { preState });
    for (const egress of missing) {
      try {
        await ec2.send(
          new CreateNetworkAclEntryCommand({
            NetworkAclId: networkAclId,
            RuleNumber: ruleNumber,
            Egress: egress,
            Protocol: '-1',
            RuleAction: 'deny',
            ...(isV6(params.cidr) ? { Ipv6CidrBlock: params.cidr } : { CidrBlock: params.cidr }),
          }),
        );
      } catch (error: unknown) {
        // The SDK's retry of a create AWS applied but whose answer was lost (TRAPS 24): the entry at
        // our number is there. Ours if it is our deny of this CIDR; the read-back below decides, and
        // fails naming whatever else holds the number.
        if (!hasErrorCode(error, 'NetworkAclEntryAlreadyExists')) throw error;
      }
    }
    const after = (await findAcl(ec2, { networkAclId })).Entries ?? [];
    const problems = [false, true]
      .filter(
        (egress) => !after.some((e) => e.RuleNumber === ruleNumber && isOurDeny(e, params.cidr, egress)),
      )
      .map((egress) => {
        const found = after.find((e) => e.RuleNumber === ruleNumber && e.Egress === egress);
        return `network ACL ${networkAclId} has no ${egress ? 'outbound' : 'inbound'} deny of ${params.cidr} at rule ${ruleNumber} (found ${found ? `${found.RuleAction} ${cidrOf(found)} protocol ${found.Protocol}` : 'no entry'})`;
      });
    if (problems.length > 0) throw new VerificationFailedError(`block of ${params.cidr}`, problems);
    context.logger.info({ networkAclId, ruleNumber }, 'ip_blocked');
    return succeeded(
      { networkAclId, ruleNumber, cidr: params.cidr, changes },
      { preState, verified: { inbound: true, outbound: true, ruleNumber } },
    );
  };
}

/** `rollback.block-ip`: deletes our two entries, and only if they still are our deny of that CIDR. */
export function rollbackBlockIp(): StepHandler<'rollback.block-ip'> {
  return async (params, context) => {
    const { networkAclId, cidr, ruleNumber } = parsePreState(
      BlockIpPreState,
      params.preState,
      'rollback.block-ip',
    );
    const ec2 = await context.client(EC2Client);
    const entries = (await findAcl(ec2, { networkAclId })).Entries ?? [];
    const ours = [false, true].filter((egress) =>
      entries.some((e) => e.RuleNumber === ruleNumber && isOurDeny(e, cidr, egress)),
    );
    const notRestored = [false, true]
      .filter(
        (egress) =>
          !ours.includes(egress) && entries.some((e) => e.RuleNumber === ruleNumber && e.Egress === egress),
      )
      .map((egress) => ({
        item: `rule ${ruleNumber} ${egress ? 'outbound' : 'inbound'}`,
        reason: 'now holds another rule; left alone',
      }));
    const changes = ours.map(
      (egress) => `delete ${egress ? 'outbound' : 'inbound'} rule ${ruleNumber} of ${networkAclId}`,
    );
    if (context.dryRun)
      return succeeded({ networkAclId, ruleNumber, notRestored, dryRun: true, wouldChange: changes });
    for (const egress of ours) {
      await ec2
        .send(
          new DeleteNetworkAclEntryCommand({
            NetworkAclId: networkAclId,
            RuleNumber: ruleNumber,
            Egress: egress,
          }),
        )
        .catch((error: unknown) => {
          // A retried delete AWS applied but whose answer was lost (TRAPS 24); the read-back checks.
          if (!hasErrorCode(error, 'InvalidNetworkAclEntry.NotFound')) throw error;
        });
    }
    const after = (await findAcl(ec2, { networkAclId })).Entries ?? [];
    if (
      after.some(
        (e) => e.RuleNumber === ruleNumber && (isOurDeny(e, cidr, false) || isOurDeny(e, cidr, true)),
      )
    ) {
      throw new VerificationFailedError(`unblock of ${cidr}`, [`rule ${ruleNumber} still denies ${cidr}`]);
    }
    context.logger.info({ networkAclId, ruleNumber }, 'ip_unblocked');
    return succeeded(
      { networkAclId, ruleNumber, notRestored, changes },
      { verified: { entries: after.length } },
    );
  };
}
