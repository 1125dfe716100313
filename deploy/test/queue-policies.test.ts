import { beforeAll, describe, expect, it } from 'vitest';
import {
  type QueueSenderPrincipal,
  sendMessage,
  type TemplateQueue,
  templateQueues,
  unrelatedRole,
} from '../../tools/iam-proof/src/queue-policies.js';
import { type TemplateRole, templateRoles } from '../../tools/iam-proof/src/role-policies.js';
import { simulate } from '../../tools/iam-proof/src/simulate.js';
import { type CfnTemplate, createResolver } from '../../tools/iam-proof/src/template-resolver.js';
import { SERVICE_NAMES, type ServiceName } from '../src/config.js';
import { SENDER_RESTRICTION_SID } from '../src/constructs/queue-policies.js';
import { QUEUE_SENDERS, SYSTEM_QUEUES, type SystemQueue, sendersOf } from '../src/queue-senders.js';
import { buildTestApp } from './build.js';

/**
 * The queue policies, proved by IAM policy simulation (@cloud-copilot/iam-simulate, through
 * tools/iam-proof) over the synthesised template: for every queue, exactly the senders of
 * QUEUE_SENDERS may send, and every other principal (the other task roles, a role of the account
 * with `sqs:*` on `*`, an operator role on a DLQ, EventBridge for another rule) may not.
 */
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const OPERATOR = `arn:aws:iam::${ACCOUNT}:role/ir-operator`;
const SSO_OPERATORS = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_IrOperator_*`;

/** A role with the identity policies of `role` plus `sqs:*` on `*`: only the queue policy can stop it. */
const withAllSqs = (role: TemplateRole): TemplateRole => ({
  ...role,
  policies: [...role.policies, ...unrelatedRole(ACCOUNT, 'aws').policies],
});
/** A stand-in role of the account with `sqs:*` on `*`, named by its ARN's path and name. */
const accountRole = (pathAndName: string): TemplateRole => ({
  ...unrelatedRole(ACCOUNT, 'aws'),
  arn: `arn:aws:iam::${ACCOUNT}:role/${pathAndName}`,
  roleName: pathAndName.split('/').pop() ?? pathAndName,
});
const allowed = async (queue: TemplateQueue, sender: QueueSenderPrincipal) =>
  (await sendMessage(queue, sender)).result === 'Allowed';

let queues: Map<SystemQueue, TemplateQueue>;
let taskRoles: Map<ServiceName, TemplateRole>;
let ruleArns: string[];

beforeAll(() => {
  const { systemTemplate } = buildTestApp({ operatorRoleArns: `${OPERATOR},${SSO_OPERATORS}` });
  const template = systemTemplate.toJSON() as CfnTemplate;
  const context = {
    accountId: ACCOUNT,
    region: REGION,
    parameters: { OidcIssuer: 'https://login.example.com', OidcAudience: 'incident-response' },
  };
  const resolver = createResolver(template, context);
  const byName = new Map(templateQueues(template, resolver, ACCOUNT).map((queue) => [queue.name, queue]));
  queues = new Map(
    SYSTEM_QUEUES.map((queue) => {
      const found = byName.get(`ir-${queue}`);
      if (!found) throw new Error(`no queue ir-${queue} in the template`);
      return [queue, found];
    }),
  );
  const roles = templateRoles(template, context);
  taskRoles = new Map(
    SERVICE_NAMES.map((service) => {
      const role = roles.find((candidate) => candidate.roleName === `ir-${service}-task`);
      if (!role) throw new Error(`no task role of ${service}`);
      return [service, role];
    }),
  );
  ruleArns = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId]) => resolver.attributeOf(logicalId, 'Arn'))
    .filter((arn) => /findings/.test(arn));
}, 180_000);

describe('queue policies (simulated)', () => {
  it('give every queue of the sender table a Deny of SendMessage to unlisted senders', () => {
    // Prepare / Act: built above.
    // Assess
    for (const [queue, { policy }] of queues) {
      const statements = (policy as { Statement: { Sid?: string; Effect: string; Action: unknown }[] })
        .Statement;
      const restriction = statements.find((statement) => statement.Sid === SENDER_RESTRICTION_SID);
      expect(restriction, queue).toMatchObject({ Effect: 'Deny', Action: 'sqs:SendMessage' });
    }
  });

  it('let each service task role send exactly to the queues the table lists it for', async () => {
    // Prepare
    const expected = SERVICE_NAMES.flatMap((service) =>
      SYSTEM_QUEUES.filter((queue) => sendersOf(queue).includes(service)).map(
        (queue) => `${service} → ${queue}`,
      ),
    );
    // Act: every role against every queue, with its real identity policies and with sqs:* added.
    const granted: string[] = [];
    const admittedWithAllSqs: string[] = [];
    for (const service of SERVICE_NAMES) {
      const role = taskRoles.get(service) as TemplateRole;
      for (const [queue, template] of queues) {
        if (await allowed(template, { role })) granted.push(`${service} → ${queue}`);
        if (await allowed(template, { role: withAllSqs(role) }))
          admittedWithAllSqs.push(`${service} → ${queue}`);
      }
    }
    // Assess: the identity grants are the table, and the queue policies alone enforce it.
    expect(granted.sort()).toEqual(expected.sort());
    expect(admittedWithAllSqs.sort()).toEqual(expected.sort());
  });

  it('keep forged decisions off the coordinator queue: any principal outside the table is denied by the queue policy', async () => {
    // Prepare
    const coordinator = queues.get('coordinator') as TemplateQueue;
    // Act
    const outsider = await sendMessage(coordinator, { role: unrelatedRole(ACCOUNT, 'aws') });
    // Assess
    expect(outsider.result).toBe('ExplicitlyDenied');
    expect(outsider.decidedBy.join()).toContain(SENDER_RESTRICTION_SID);
    expect(Object.keys(QUEUE_SENDERS.coordinator)).toEqual(expect.arrayContaining([...SERVICE_NAMES]));
  });

  it('deny every queue to a role of the account with sqs:* on *', async () => {
    // Prepare
    const outsider = unrelatedRole(ACCOUNT, 'aws');
    // Act
    const open = [];
    for (const [queue, template] of queues) if (await allowed(template, { role: outsider })) open.push(queue);
    // Assess
    expect(open).toEqual([]);
  });

  it('let the operator roles (exact and wildcard) send to the work queues only, and nobody with a near name', async () => {
    // Prepare
    const operators = [
      accountRole('ir-operator'),
      accountRole(`aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_IrOperator_0123abcd`),
    ];
    const nearMisses = [
      accountRole('ir-operator-2'),
      accountRole(`aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_IrViewer_0123abcd`),
    ];
    const expected = SYSTEM_QUEUES.filter((queue) => sendersOf(queue).includes('operators'));
    // Act
    const admitted = async (role: TemplateRole) => {
      const out: SystemQueue[] = [];
      for (const [queue, template] of queues) if (await allowed(template, { role })) out.push(queue);
      return out;
    };
    // Assess
    expect(expected).toEqual(['findings', 'coordinator', 'isolator', 'forensics', 'notifier']);
    for (const role of operators) expect(await admitted(role), role.arn).toEqual(expected);
    for (const role of nearMisses) expect(await admitted(role), role.arn).toEqual([]);
  });

  it('let EventBridge deliver for the stack’s finding rules only, to the findings queue and its delivery DLQ', async () => {
    // Prepare
    const foreignRule = `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`;
    expect(ruleArns).toHaveLength(3);
    // Act
    const delivered: string[] = [];
    for (const sourceArn of [...ruleArns, foreignRule]) {
      for (const [queue, template] of queues) {
        if (await allowed(template, { service: 'events.amazonaws.com', sourceArn }))
          delivered.push(`${sourceArn.split('/').pop()} → ${queue}`);
      }
    }
    // Assess
    expect(delivered.sort()).toEqual(
      ruleArns
        .flatMap((arn) => [
          `${arn.split('/').pop()} → findings`,
          `${arn.split('/').pop()} → findings-delivery-dlq`,
        ])
        .sort(),
    );
  });

  it('deny only sending: an administrator still manages the coordinator queue and its policy', async () => {
    // Prepare
    const admin = accountRole('Admin');
    const coordinator = queues.get('coordinator') as TemplateQueue;
    // Act
    const manage = await Promise.all(
      ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes', 'sqs:PurgeQueue', 'sqs:ReceiveMessage'].map(
        (action) =>
          simulate(
            admin,
            { action, resource: coordinator.arn, resourceAccount: ACCOUNT },
            coordinator.policy,
          ),
      ),
    );
    // Assess
    expect(manage.map((decision) => decision.result)).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed']);
  });
});
