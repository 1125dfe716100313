import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ServiceName } from '../config.js';
import { SYSTEM_QUEUES, type SystemQueue, sendersOf, serviceSendersOf } from '../queue-senders.js';

/** The Sid of each queue's sender restriction (tests and the IAM proof look it up). */
export const SENDER_RESTRICTION_SID = 'SendOnlyFromListedSenders';

/** Settings of {@link restrictQueueSenders}. */
export interface QueueSenderRestrictionProps {
  /** The queue of each name of {@link SYSTEM_QUEUES}. */
  readonly queueOf: (name: SystemQueue) => sqs.IQueue;
  /** A service's task role ARN (fixed names, `<prefix>-<service>-task`). */
  readonly taskRoleArn: (service: ServiceName) => string;
  /** The stack's EventBridge finding rules (the `finding-rules` sender). */
  readonly findingRuleArns: readonly string[];
  /** The `operators` sender: role ARNs, a trailing `*` allowed (SSO permission-set roles). */
  readonly operatorRoleArns: readonly string[];
}

/**
 * Adds to each queue's policy a Deny of `sqs:SendMessage` (the action `SendMessageBatch` is
 * authorised as) to every principal the sender table (queue-senders.ts) does not list. Why a Deny in
 * the queue policy rather than relying on the identity grants: any principal of the account with a
 * broad identity policy (`sqs:*` on `*`) could otherwise put a forged `approval.granted` on the
 * coordinator queue or a command on a worker's (issue 18). Only Send is denied: the account's
 * administrators still read, purge and manage the queue and this policy. `ArnNotLike` so an operator
 * entry may end in `*`; task role ARNs contain no wildcard and match exactly. Service principals carry
 * no `aws:PrincipalArn`: EventBridge passes only for the stack's own rules (`aws:SourceArn`, which no
 * caller can set itself), and every other service principal has no Allow in any queue policy.
 */
export function restrictQueueSenders(props: QueueSenderRestrictionProps): void {
  for (const name of SYSTEM_QUEUES) {
    const queue = props.queueOf(name);
    const senders = sendersOf(name);
    const principals = [
      ...serviceSendersOf(name).map(props.taskRoleArn),
      ...(senders.includes('operators') ? props.operatorRoleArns : []),
    ];
    const conditions: Record<string, Record<string, string[]>> = {};
    // Every condition must hold for the Deny to apply: a listed role, or a listed rule, escapes it.
    if (principals.length > 0) conditions.ArnNotLike = { 'aws:PrincipalArn': principals };
    if (senders.includes('finding-rules')) {
      conditions.ArnNotEquals = { 'aws:SourceArn': [...props.findingRuleArns] };
    }
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: SENDER_RESTRICTION_SID,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions,
      }),
    );
  }
}
