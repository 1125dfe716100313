import type { ServiceName } from './config.js';
import { type LogicalQueueName, QUEUE_NAMES } from './constructs/queues.js';

/**
 * A queue of the system stack: a work queue, its dead-letter queue, or the findings rules' delivery
 * DLQ (EventBridge's, `<prefix>-findings-delivery-dlq`).
 */
export type SystemQueue = LogicalQueueName | `${LogicalQueueName}-dlq` | 'findings-delivery-dlq';

/** Every queue of the system stack, in pipeline order, each work queue followed by its DLQ. */
export const SYSTEM_QUEUES: readonly SystemQueue[] = [
  ...QUEUE_NAMES.flatMap((name) => [name, `${name}-dlq`] as const),
  'findings-delivery-dlq',
];

/**
 * Who may send to a queue besides the services' task roles: `finding-rules` is EventBridge
 * (`events.amazonaws.com`) delivering for the stack's finding rules (`aws:SourceArn`), `operators` the
 * roles of `operatorRoleArns` (irctl `submit` and `dlq redrive`, which call SQS with the person's own
 * AWS credentials). The console's DLQ redrive is not an operator sender: the browser never holds AWS
 * credentials, it asks the coordinator's API (`POST /dlq/:queue/redrive`, role admin), and the
 * coordinator sends with its own task role.
 */
export type QueueSender = ServiceName | 'finding-rules' | 'operators';

/** Why the coordinator sends to each work queue for the console (its operator API's DLQ routes). */
const CONSOLE_REDRIVE = 'the console’s DLQ redrive (`POST /dlq/<queue>/redrive`, admin)';

/**
 * Who sends to each queue, and why: the one table the queue policies (a Deny of `sqs:SendMessage`
 * to every other principal, constructs/queue-policies.ts), the task roles' send grants
 * (service-permissions.ts) and docs/iam/queue-senders.md are rendered from. Read from the code:
 * - detection publishes `incident.opened` to the coordinator (handlers/findings.ts);
 * - the coordinator publishes commands to the workers and to itself from its outbox, the outbox
 *   sweep republishes them, and its operator API publishes decisions to its own queue (api/routes.ts);
 * - the coordinator's operator API redrives dead letters for the console (`POST /dlq/:queue/redrive`,
 *   role admin): from a DLQ back to its own work queue, so it sends to all five work queues (the
 *   findings queue only for this) and to no DLQ but its own. Why that opens nothing: the role could
 *   already put `incident.opened` on its own queue and commands on the workers' queues, downstream
 *   of everything a finding goes through (detection's checks, the playbook, blast radius, approval);
 * - the step workers (isolator, forensics, notifier) answer every command on the coordinator queue
 *   (packages/runtime step-worker);
 * - forensics sends itself delayed follow-ups (evidence.snapshot-followup, the clean room's waits);
 * - every worker that parses an envelope with an account (all but detection, whose raw findings
 *   carry none) puts a message back as a delayed copy on its own queue when that account is at its
 *   cap (packages/runtime worker/account-fairness.ts);
 * - each service copies a message it cannot handle to its own queue's DLQ, with the reason
 *   (packages/runtime worker/dead-letter.ts). SQS's own move after `maxReceiveCount` is not a
 *   principal's SendMessage and no queue policy applies to it.
 * Operators send findings (`irctl submit`) and redrive dead letters to the five work queues, never
 * to a DLQ; a decision redriven to the coordinator is verified like any other (its signature), by
 * irctl and the console alike.
 */
export const QUEUE_SENDERS: Readonly<Record<SystemQueue, Readonly<Partial<Record<QueueSender, string>>>>> = {
  findings: {
    'finding-rules': 'GuardDuty and Security Hub findings (the stack’s two EventBridge rules)',
    'response-coordinator': `${CONSOLE_REDRIVE} from \`findings-dlq\`: its only send here`,
    operators: '`irctl submit`, `irctl dlq redrive findings`',
  },
  'findings-dlq': { detection: 'dead-letters a finding it cannot handle' },
  coordinator: {
    detection: '`incident.opened`',
    'response-coordinator': `operator decisions from its API, outbox commands to itself and the outbox sweep, deferred copies, ${CONSOLE_REDRIVE}`,
    isolator: 'step results',
    forensics: 'step results',
    notifier: 'step results',
    operators: '`irctl dlq redrive coordinator` (decisions are verified again: signature)',
  },
  'coordinator-dlq': { 'response-coordinator': 'dead-letters a message it refuses (e.g. a forged decision)' },
  isolator: {
    'response-coordinator': `containment and rollback commands (outbox, sweep), ${CONSOLE_REDRIVE}`,
    isolator: 'deferred copies (account at its cap)',
    operators: '`irctl dlq redrive isolator`',
  },
  'isolator-dlq': { isolator: 'dead-letters a command it cannot handle' },
  forensics: {
    'response-coordinator': `evidence commands (outbox, sweep), ${CONSOLE_REDRIVE}`,
    forensics: '`evidence.snapshot-followup` and clean-room waits to itself, deferred copies',
    operators: '`irctl dlq redrive forensics`',
  },
  'forensics-dlq': { forensics: 'dead-letters a command it cannot handle' },
  notifier: {
    'response-coordinator': `notifications (outbox, sweep), ${CONSOLE_REDRIVE}`,
    notifier: 'deferred copies (account at its cap)',
    operators: '`irctl dlq redrive notifier`',
  },
  'notifier-dlq': { notifier: 'dead-letters a notification it cannot handle' },
  'findings-delivery-dlq': {
    'finding-rules': 'EventBridge dead-letters a finding it could not deliver to the findings queue',
  },
};

/**
 * What the coordinator's task role does on each of the five DLQs for the console (its operator API's
 * DLQ routes; granted by service-permissions.ts): find it (`GetQueueUrl`, the DLQ the work queue's
 * redrive policy names), read its depth (`GetQueueAttributes`), list messages (`ReceiveMessage`, then
 * `ChangeMessageVisibility(Batch)` to 0, so a listing leaves them as found). Sending to the work
 * queues is {@link QUEUE_SENDERS}'s; no `SendMessage` to a DLQ, no purge, no attribute or policy change.
 */
export const COORDINATOR_DLQ_READ_ACTIONS = [
  'sqs:GetQueueUrl',
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
] as const;
/**
 * The one write on the DLQs ({@link COORDINATOR_DLQ_READ_ACTIONS}): a redrive deletes each message
 * (`DeleteMessage(Batch)`) only after its copy was sent to the work queue.
 */
export const COORDINATOR_DLQ_REDRIVE_ACTIONS = ['sqs:DeleteMessage'] as const;
/** Sids of the two statements, as the tests and docs/iam/queue-senders.md name them. */
export const COORDINATOR_DLQ_SIDS = {
  read: 'ConsoleReadDeadLetters',
  redrive: 'ConsoleRedriveDeadLetters',
} as const;

/** The senders of one queue. */
export function sendersOf(queue: SystemQueue): QueueSender[] {
  return Object.keys(QUEUE_SENDERS[queue]) as QueueSender[];
}

/** The services (task roles) that send to one queue. */
export function serviceSendersOf(queue: SystemQueue): ServiceName[] {
  return sendersOf(queue).filter(
    (sender): sender is ServiceName => sender !== 'finding-rules' && sender !== 'operators',
  );
}

/**
 * The sender table as Markdown (docs/iam/queue-senders.md, written by `pnpm docs:iam`): one row per
 * queue and sender, with why.
 */
export function queueSendersMarkdown(): string {
  const who: Record<QueueSender, string> = {
    detection: 'detection task role',
    'response-coordinator': 'response-coordinator task role',
    isolator: 'isolator task role',
    forensics: 'forensics task role',
    notifier: 'notifier task role',
    'finding-rules': 'EventBridge (`events.amazonaws.com`), `aws:SourceArn` = the finding rules',
    operators: 'the roles of `operatorRoleArns` (none unless set)',
  };
  const rows = SYSTEM_QUEUES.flatMap((queue) =>
    Object.entries(QUEUE_SENDERS[queue]).map(
      ([sender, why]) => `| \`<prefix>-${queue}\` | ${who[sender as QueueSender]} | ${why} |`,
    ),
  );
  return [
    '# Who may send to each queue',
    '',
    'Generated by `pnpm docs:iam` from `QUEUE_SENDERS` (`deploy/src/queue-senders.ts`); do not edit.',
    'Each queue’s policy denies `sqs:SendMessage` (which also authorises `SendMessageBatch`) to every',
    'principal not listed here (`ArnNotLike aws:PrincipalArn`, and for EventBridge `ArnNotEquals',
    'aws:SourceArn`); only the Send action is denied, so administrators still manage the queue and its',
    'policy. The task roles’ identity policies grant exactly the same sends. `pnpm test` proves both',
    'by simulation (`deploy/test/queue-policies.test.ts`, `pnpm iam:prove`).',
    '',
    '| queue | sender | why |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '## The console’s DLQ view and redrive',
    '',
    'The console never holds AWS credentials: its DLQ view (`GET /dlq`, viewer; `GET /dlq/<queue>/messages`,',
    'responder) and redrive (`POST /dlq/<queue>/redrive`, admin) are routes of the coordinator’s operator',
    'API, which calls SQS with the coordinator’s task role. `operatorRoleArns` is for irctl, which calls',
    'SQS with the operator’s own credentials. Besides the sends above, the coordinator’s task role may, on',
    'the five DLQs of the work queues and nothing else (`service-permissions.ts`):',
    '',
    `- statement \`${COORDINATOR_DLQ_SIDS.read}\`: find each DLQ through its work queue’s redrive policy, read`,
    '  its depth, list messages and make them visible again:',
    `  ${COORDINATOR_DLQ_READ_ACTIONS.map((action) => `\`${action}\``).join(', ')};`,
    `- statement \`${COORDINATOR_DLQ_SIDS.redrive}\`: a redrive deletes each message from the DLQ only after`,
    `  its copy was sent to the work queue: ${COORDINATOR_DLQ_REDRIVE_ACTIONS.map((action) => `\`${action}\``).join(', ')}.`,
    '',
    'It may send to no DLQ but `<prefix>-coordinator-dlq` (its own dead letters), purge none, and change',
    'no queue’s attributes or policy. The one send it gains is to `<prefix>-findings`. That opens nothing',
    'a stolen coordinator credential could not already do: the role may already put an `incident.opened`',
    'on its own queue and commands straight on the workers’ queues, downstream of every check a finding',
    'passes (detection’s validation and coalescing, the playbook, the blast radius, approvals). The',
    'IAM proof’s `queue-open` check is unchanged by it: it asks whether a role *outside* the table with',
    '`sqs:*` on `*` may send to any queue, and every queue still denies it.',
    '',
  ].join('\n');
}
