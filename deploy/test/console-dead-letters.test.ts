import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../tools/iam-proof/src/call-mapping.js';
import { HOME_ACCOUNT, type ProofResult, prove } from '../../tools/iam-proof/src/prove.js';
import { type TemplateQueue, templateQueues } from '../../tools/iam-proof/src/queue-policies.js';
import { type TemplateRole, templateRoles } from '../../tools/iam-proof/src/role-policies.js';
import { simulate } from '../../tools/iam-proof/src/simulate.js';
import { PROOF_SYNTH_CONTEXT } from '../../tools/iam-proof/src/synth-context.js';
import { type CfnTemplate, createResolver } from '../../tools/iam-proof/src/template-resolver.js';
import { SERVICE_NAMES, type ServiceName } from '../src/config.js';
import { QUEUE_NAMES } from '../src/constructs/queues.js';
import {
  COORDINATOR_DLQ_READ_ACTIONS,
  COORDINATOR_DLQ_REDRIVE_ACTIONS,
  COORDINATOR_DLQ_SIDS,
  SYSTEM_QUEUES,
  type SystemQueue,
  sendersOf,
} from '../src/queue-senders.js';
import { buildTestApp } from './build.js';

/**
 * The coordinator's rights for the console's DLQ view and redrive (issue 19), proved by IAM policy
 * simulation over the synthesised template (tools/iam-proof): every call the DLQ routes make is
 * allowed to the coordinator's task role, with the queue policies; nothing else on a DLQ is; and no
 * other role may read or delete dead letters.
 */
const REGION = 'us-east-1';
const PREFIX = 'ir';
const queueUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${HOME_ACCOUNT}/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${HOME_ACCOUNT}:${name}`;

/**
 * The SQS calls of the coordinator's DLQ routes for one work queue, as the runtime's call log records
 * them (packages/runtime `resolveQueue`, then `GET /dlq`, `GET /dlq/:queue/messages` and
 * `POST /dlq/:queue/redrive`).
 */
function deadLetterRouteCalls(queue: string): CallRecord[] {
  const work = `${PREFIX}-${queue}`;
  const dlq = `${work}-dlq`;
  const call = (operation: string, input: Record<string, unknown>): CallRecord => ({
    service: 'response-coordinator',
    client: 'sqs',
    operation,
    account: HOME_ACCOUNT,
    region: REGION,
    principal: 'task',
    input,
    outcome: 'success',
  });
  const entries = [{ Id: '0', ReceiptHandle: 'handle-0' }];
  return [
    // Resolving: the work queue, its redrive policy, the DLQ it names.
    call('GetQueueUrl', { QueueName: work }),
    call('GetQueueAttributes', { QueueUrl: queueUrl(work), AttributeNames: ['RedrivePolicy'] }),
    call('GetQueueUrl', { QueueName: dlq }),
    // GET /dlq: the depth.
    call('GetQueueAttributes', {
      QueueUrl: queueUrl(dlq),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
    // GET /dlq/:queue/messages: receive, then release.
    call('ReceiveMessage', { QueueUrl: queueUrl(dlq), MaxNumberOfMessages: 10 }),
    call('ChangeMessageVisibilityBatch', {
      QueueUrl: queueUrl(dlq),
      Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: 0 })),
    }),
    call('ChangeMessageVisibility', {
      QueueUrl: queueUrl(dlq),
      ReceiptHandle: 'handle-0',
      VisibilityTimeout: 0,
    }),
    // POST /dlq/:queue/redrive: send the copy to the work queue, then delete it from the DLQ.
    call('SendMessage', { QueueUrl: queueUrl(work), MessageBody: '{}' }),
    call('SendMessageBatch', { QueueUrl: queueUrl(work), Entries: [{ Id: '0', MessageBody: '{}' }] }),
    call('DeleteMessage', { QueueUrl: queueUrl(dlq), ReceiptHandle: 'handle-0' }),
    call('DeleteMessageBatch', { QueueUrl: queueUrl(dlq), Entries: entries }),
  ];
}

let template: CfnTemplate;
let proof: ProofResult;
let queues: Map<SystemQueue, TemplateQueue>;
let taskRoles: Map<ServiceName, TemplateRole>;
let coordinatorStatements: { Sid?: string; Effect: string; Action: unknown; Resource: unknown }[];
let dlqArnRefs: unknown[];

beforeAll(async () => {
  const built = buildTestApp(PROOF_SYNTH_CONTEXT);
  template = built.systemTemplate.toJSON() as CfnTemplate;
  const context = { accountId: HOME_ACCOUNT, region: REGION };
  const resolver = createResolver(template, context);
  const byName = new Map(
    templateQueues(template, resolver, HOME_ACCOUNT).map((queue) => [queue.name, queue]),
  );
  queues = new Map(SYSTEM_QUEUES.map((queue) => [queue, byName.get(`${PREFIX}-${queue}`) as TemplateQueue]));
  const roles = templateRoles(template, context);
  taskRoles = new Map(
    SERVICE_NAMES.map((service) => [
      service,
      roles.find((role) => role.roleName === `${PREFIX}-${service}-task`) as TemplateRole,
    ]),
  );
  const roleId = Stack.of(built.system).getLogicalId(
    built.system.services['response-coordinator'].taskRole.node.defaultChild as never,
  );
  coordinatorStatements = Object.values(template.Resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties?.Roles ?? []).includes(`"${roleId}"`),
    )
    .flatMap(
      (resource) =>
        (resource.Properties as { PolicyDocument: { Statement: typeof coordinatorStatements } })
          .PolicyDocument.Statement,
    );
  dlqArnRefs = QUEUE_NAMES.map((name) => ({
    'Fn::GetAtt': [
      Stack.of(built.system).getLogicalId(built.system.queues.pairs[name].dlq.node.defaultChild as never),
      'Arn',
    ],
  }));
  const records = QUEUE_NAMES.flatMap(deadLetterRouteCalls);
  proof = await prove({ system: template, member: built.memberTemplate.toJSON() as CfnTemplate }, records, {
    region: REGION,
  });
}, 180_000);

describe('the coordinator task role for the console’s DLQ routes', () => {
  it('is allowed every call of the DLQ routes on all five queues, and the proof finds nothing open', () => {
    // Prepare / Act: proved above, the queue policies included.
    const tally = proof.tallies.get(`${PREFIX}-response-coordinator-task`);
    // Assess: 8 distinct IAM requests per queue (the batch calls are authorised as their single form).
    expect(proof.findings).toEqual([]);
    expect(tally).toMatchObject({ allowed: 8 * QUEUE_NAMES.length, denied: 0, escalationsOpen: 0 });
  });

  it('grants the read actions and the redrive’s delete on exactly the five DLQs, in two statements', () => {
    // Prepare / Act
    const bySid = (sid: string) => coordinatorStatements.filter((statement) => statement.Sid === sid);
    const [read, redrive] = [bySid(COORDINATOR_DLQ_SIDS.read), bySid(COORDINATOR_DLQ_SIDS.redrive)];
    // Assess
    expect(read).toEqual([
      {
        Sid: COORDINATOR_DLQ_SIDS.read,
        Effect: 'Allow',
        Action: [...COORDINATOR_DLQ_READ_ACTIONS],
        Resource: dlqArnRefs,
      },
    ]);
    expect(redrive).toEqual([
      {
        Sid: COORDINATOR_DLQ_SIDS.redrive,
        Effect: 'Allow',
        Action: COORDINATOR_DLQ_REDRIVE_ACTIONS[0],
        Resource: dlqArnRefs,
      },
    ]);
  });

  it('may not send to any DLQ but its own, nor purge, reconfigure or delete one, nor touch the delivery DLQ', async () => {
    // Prepare
    const coordinator = taskRoles.get('response-coordinator') as TemplateRole;
    const forbidden = [
      'sqs:SendMessage',
      'sqs:PurgeQueue',
      'sqs:SetQueueAttributes',
      'sqs:DeleteQueue',
      'sqs:AddPermission',
      'sqs:StartMessageMoveTask',
      'sqs:TagQueue',
    ];
    // Act
    const allowed: string[] = [];
    for (const [name, queue] of queues) {
      if (!name.endsWith('-dlq')) continue;
      const actions =
        name === 'findings-delivery-dlq'
          ? [...forbidden, ...COORDINATOR_DLQ_READ_ACTIONS, ...COORDINATOR_DLQ_REDRIVE_ACTIONS]
          : forbidden;
      for (const action of actions) {
        const decision = await simulate(
          coordinator,
          { action, resource: queue.arn, resourceAccount: HOME_ACCOUNT },
          queue.policy,
        );
        if (decision.result === 'Allowed') allowed.push(`${action} ${name}`);
      }
    }
    // Assess: its own dead letters (the runtime's copy with the reason) and nothing else.
    expect(allowed).toEqual(['sqs:SendMessage coordinator-dlq']);
    expect(sendersOf('coordinator-dlq')).toEqual(['response-coordinator']);
  });

  it('is the only task role that may receive, release or delete dead letters', async () => {
    // Prepare
    const actions = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'];
    // Act
    const readers = new Set<string>();
    for (const [service, role] of taskRoles) {
      for (const name of QUEUE_NAMES) {
        for (const action of actions) {
          const decision = await simulate(role, {
            action,
            resource: queueArn(`${PREFIX}-${name}-dlq`),
            resourceAccount: HOME_ACCOUNT,
          });
          if (decision.result === 'Allowed') readers.add(service);
        }
      }
    }
    // Assess
    expect([...readers]).toEqual(['response-coordinator']);
  });

  it('sends to every work queue for the redrive, the findings queue included', () => {
    // Prepare / Act / Assess: the sender table, from which the queue policies and grants are rendered.
    for (const name of QUEUE_NAMES) expect(sendersOf(name), name).toContain('response-coordinator');
  });
});
