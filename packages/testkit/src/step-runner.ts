import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  buildMessage,
  type CommandApproval,
  type MessageOf,
  type PayloadOf,
  parseMessage,
  type StepTarget,
} from '@ir/contracts';
import {
  createLogger,
  type HandlerContext,
  type ParamsOf,
  type QueueName,
  type StepCommand,
  type StepCommandType,
} from '@ir/runtime';
import { TestkitError } from './errors.js';

/** What a worker answers to a step command, as the coordinator receives it. */
export type StepAnswer = MessageOf<'step.succeeded'> | MessageOf<'step.failed'> | MessageOf<'step.held'>;

/** The envelope and payload fields of a step command that a test may choose; the rest are defaults. */
export interface StepCommandOptions {
  /** Defaults to `step-<uuid>`, so two commands never share an answer. */
  readonly stepId?: string | undefined;
  /** Defaults to `inc-<8 hex>`, a new incident per command. */
  readonly incidentId?: string | undefined;
  /** Defaults to `corr-<incidentId>`. */
  readonly correlationId?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly producer?: string | undefined;
  readonly playbookId?: string | undefined;
  /** Defaults to the runner's target (the emulated account and region). */
  readonly target?: StepTarget | undefined;
  readonly timeoutSeconds?: number | undefined;
  /** The approval the coordinator sends with a step a person approved; none by default. */
  readonly approval?: CommandApproval | undefined;
}

/** {@link StepCommandOptions} plus how long to wait for the answer. */
export interface RunStepOptions extends StepCommandOptions {
  readonly answerTimeoutMs?: number | undefined;
}

/** What identifies the command an answer is for: its id, and (checked when given) its stepId. */
export interface AnsweredCommand {
  readonly id: string;
  readonly type?: string;
  readonly payload?: { readonly stepId: string };
}

/** Where the runner sends commands and reads answers, and the defaults of every command. */
export interface StepRunnerSettings {
  readonly sqs: SQSClient;
  /** URL of each queue of the system (`bootstrap().queues`). */
  readonly queues: Readonly<Record<QueueName, { readonly url: string }>>;
  /** The account and region commands act in unless a command says otherwise. */
  readonly target: StepTarget;
  /** Defaults for every command; a command's own options win. */
  readonly defaults?: RunStepOptions;
}

/** Plays the coordinator for a worker under test: sends step commands and reads their answers. */
export interface StepRunner {
  /** Builds a step command (checked against its schema) and sends it to `queue`; returns it. */
  sendStep<T extends StepCommandType>(
    queue: QueueName,
    type: T,
    params: ParamsOf<T>,
    options?: StepCommandOptions,
  ): Promise<StepCommand<T>>;
  /** Waits for the answer to `command` (by its id, the answer's causationId) on the coordinator queue. */
  answerTo(command: AnsweredCommand, timeoutMs?: number): Promise<StepAnswer>;
  /** {@link sendStep} then {@link answerTo}: the answer for that stepId. */
  runStep<T extends StepCommandType>(
    queue: QueueName,
    type: T,
    params: ParamsOf<T>,
    options?: RunStepOptions,
  ): Promise<StepAnswer>;
  /** Every message read from the coordinator queue so far, raw, in order (e.g. to search for secrets). */
  readonly received: readonly Message[];
}

const DEFAULT_ANSWER_TIMEOUT_MS = 50_000;

/** `{ ...defaults, ...options }` where an option set to `undefined` keeps the default. */
function withDefaults(defaults: RunStepOptions, options: RunStepOptions): RunStepOptions {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(given) };
}

/**
 * A step command as the coordinator builds it, checked against its schema: what unit tests hand to a
 * worker's handler and what the runner sends. Defaults: a new `step-<uuid>` and `inc-<8 hex>`, playbook
 * `test`, 120 s; `target` is required unless `options.target` is given.
 */
export function buildStepCommand<T extends StepCommandType>(
  type: T,
  params: ParamsOf<T>,
  options: StepCommandOptions & { readonly target: StepTarget; readonly now?: () => Date },
): StepCommand<T> {
  const incidentId = options.incidentId ?? `inc-${randomUUID().slice(0, 8)}`;
  const payload = {
    stepId: options.stepId ?? `step-${randomUUID()}`,
    action: type,
    playbookId: options.playbookId ?? 'test',
    target: options.target,
    timeoutSeconds: options.timeoutSeconds ?? 120,
    params,
    ...(options.approval ? { approval: options.approval } : {}),
  } as PayloadOf<StepCommandType>;
  return buildMessage(
    type,
    {
      incidentId,
      correlationId: options.correlationId ?? `corr-${incidentId}`,
      causationId: null,
      producer: options.producer ?? 'test-coordinator',
      dryRun: options.dryRun ?? false,
      payload,
    } as never,
    options.now ? { now: options.now } : {},
  ) as StepCommand<T>;
}

/**
 * What the runtime hands a handler with a message, for unit tests that call a worker's `handle`
 * directly: a first delivery, a signal nobody aborts and a silent logger unless `overrides` say
 * otherwise.
 */
export function handlerContext(overrides: Partial<HandlerContext> = {}): HandlerContext {
  return {
    signal: new AbortController().signal,
    logger: createLogger({ service: 'test', level: 'silent' }),
    message: {},
    receiveCount: 1,
    ...overrides,
  };
}

/**
 * A coordinator double for one system. Answers are read (and deleted) from the coordinator queue as
 * they come and kept by the id of the command they answer, so commands may be awaited in any order
 * or concurrently, and a repeated stepId (a redelivery test) still gets its own answer.
 */
export function createStepRunner(settings: StepRunnerSettings): StepRunner {
  const { sqs, queues, target, defaults = {} } = settings;
  const coordinatorUrl = queues.coordinator.url;
  const received: Message[] = [];
  const answers = new Map<string, StepAnswer>();

  async function sendStep<T extends StepCommandType>(
    queue: QueueName,
    type: T,
    params: ParamsOf<T>,
    options: StepCommandOptions = {},
  ): Promise<StepCommand<T>> {
    const chosen = withDefaults(defaults, options);
    const command = buildStepCommand(type, params, { ...chosen, target: chosen.target ?? target });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queues[queue].url, MessageBody: JSON.stringify(command) }),
    );
    return command;
  }

  /** One receive from the coordinator queue: keeps every message, files the step answers, deletes them. */
  async function receiveAnswers(): Promise<void> {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: coordinatorUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) return;
    received.push(...messages);
    for (const message of messages) {
      const parsed = parseMessage(message.Body ?? '');
      const answered =
        parsed.type === 'step.succeeded' || parsed.type === 'step.failed' || parsed.type === 'step.held';
      if (answered && parsed.causationId) {
        answers.set(parsed.causationId, parsed);
      }
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: coordinatorUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }

  async function answerTo(
    command: AnsweredCommand,
    timeoutMs = defaults.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
  ): Promise<StepAnswer> {
    const stepId = command.payload?.stepId;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = answers.get(command.id);
      if (answer) {
        answers.delete(command.id);
        if (stepId !== undefined && answer.payload.stepId !== stepId) {
          throw new TestkitError(
            `answer to command ${command.id} names step ${answer.payload.stepId}, not ${stepId}`,
          );
        }
        return answer;
      }
      if (Date.now() > deadline) {
        throw new TestkitError(
          `no answer to ${command.type ?? 'command'} ${stepId ?? command.id} within ${timeoutMs} ms`,
          {
            context: { commandId: command.id },
          },
        );
      }
      await receiveAnswers();
    }
  }

  return {
    sendStep,
    answerTo,
    async runStep(queue, type, params, options = {}) {
      const command = await sendStep(queue, type, params, options);
      return answerTo(command, options.answerTimeoutMs);
    },
    received,
  };
}

/** The payload of a `step.succeeded` answer; throws with the worker's reason otherwise. */
export function succeededPayload(answer: StepAnswer): PayloadOf<'step.succeeded'> {
  if (answer.type !== 'step.succeeded') {
    throw new TestkitError(`expected step.succeeded, got ${answer.type}: ${JSON.stringify(answer.payload)}`);
  }
  return answer.payload;
}

/** The payload of a `step.held` answer; throws with the answer otherwise. */
export function heldPayload(answer: StepAnswer): PayloadOf<'step.held'> {
  if (answer.type !== 'step.held') {
    throw new TestkitError(`expected step.held, got ${answer.type}: ${JSON.stringify(answer.payload)}`);
  }
  return answer.payload;
}
