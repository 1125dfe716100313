import type { TemplateRole } from './role-policies.js';
import { type Decision, simulate, simulateService } from './simulate.js';
import type { CfnTemplate, createResolver } from './template-resolver.js';

/** One queue of a template with its policy, resolved. */
export interface TemplateQueue {
  /** `QueueName` (`ir-coordinator`, `ir-findings-delivery-dlq`). */
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  /** The queue's resource policy (`AWS::SQS::QueuePolicy`); undefined when it has none. */
  readonly policy: unknown;
}

/**
 * Every `AWS::SQS::Queue` of the template with the `AWS::SQS::QueuePolicy` that lists it. Why the
 * proof needs them: a queue policy's Deny applies to the services' own sends too, so a recorded
 * SendMessage is proved only against the queue's policy as well as the sender's identity policy.
 */
export function templateQueues(
  template: CfnTemplate,
  resolver: ReturnType<typeof createResolver>,
  accountId: string,
): TemplateQueue[] {
  const resources = Object.entries(template.Resources);
  const policyOf = (logicalId: string) => {
    const found = resources.find(
      ([, resource]) =>
        resource.Type === 'AWS::SQS::QueuePolicy' &&
        ((resource.Properties?.Queues as unknown[]) ?? []).some(
          (queue) => (queue as { Ref?: unknown } | null)?.Ref === logicalId,
        ),
    );
    return found ? resolver.resolve(found[1].Properties?.PolicyDocument) : undefined;
  };
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::SQS::Queue')
    .map(([logicalId]) => ({
      name: resolver.attributeOf(logicalId, 'QueueName'),
      arn: resolver.attributeOf(logicalId, 'Arn'),
      account: accountId,
      policy: policyOf(logicalId),
    }));
}

/**
 * A role of the security account that is none of the system's, whose identity policy allows every SQS
 * action on every queue (an administrator, or a compromised workload with a broad policy): what the
 * queue policies alone must keep from sending.
 */
export function unrelatedRole(
  accountId: string,
  partition: string,
  name = 'ir-proof-unrelated',
): TemplateRole {
  return {
    logicalId: 'ProofUnrelatedRole',
    roleName: name,
    arn: `arn:${partition}:iam::${accountId}:role/${name}`,
    policies: [
      {
        name: 'AllSqs',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] },
      },
    ],
    externalPolicyArns: [],
  };
}

/** Who sends in {@link sendMessage}: a role of the template (or a stand-in), or a service for a rule. */
export type QueueSenderPrincipal =
  | { readonly role: TemplateRole }
  | { readonly service: string; readonly sourceArn: string };

/**
 * `sqs:SendMessage` (what SendMessageBatch is authorised as) of `queue` by `sender`, with the sender's
 * identity policies and the queue's policy.
 */
export function sendMessage(queue: TemplateQueue, sender: QueueSenderPrincipal): Promise<Decision> {
  const request = { action: 'sqs:SendMessage', resource: queue.arn, resourceAccount: queue.account };
  if ('role' in sender) return simulate(sender.role, request, queue.policy);
  return simulateService(
    sender.service,
    {
      ...request,
      context: { 'aws:SourceArn': sender.sourceArn, 'aws:SourceAccount': queue.account },
    },
    queue.policy,
  );
}
