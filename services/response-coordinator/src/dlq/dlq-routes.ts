import type { SQSClient } from '@aws-sdk/client-sqs';
import { type OperatorIdentity, operatorApi, type RedriveRequest, SystemQueueName } from '@ir/contracts';
import {
  type DeadLetterRedriveOutcome,
  errorMessage,
  errorName,
  isDeadLetterReadError,
  type Logger,
  peekDeadLetters,
  type QueueEndpoints,
  readQueueDepth,
  redriveDeadLetters,
  redriveRefusal,
} from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import { type Authenticator, authorize, principalOf } from '../api/auth.js';
import { useZodSchemas, type ZodScope } from '../api/zod-schemas.js';
import { type DeadLetterMetrics, RedriveOutcome } from './dlq-metrics.js';
import { deadLetterMessage } from './redrivable.js';
import type { SystemQueues } from './system-queues.js';

/** Seconds a listed message stays hidden while the listing reads on (it is released at once after). */
export const LIST_VISIBILITY_SECONDS = 30;
/**
 * Seconds a message stays hidden while a redrive runs: more than 1000 sends and deletes one after the
 * other take. Were it to end mid-way, a message not yet moved would only be offered again, never lost.
 */
export const REDRIVE_VISIBILITY_SECONDS = 120;
/**
 * The most messages a redrive by id reads looking for the ones named. Why a bound: every message
 * read stays hidden until the redrive ends, so an unbounded search would hide a large DLQ from every
 * other reader; a named message not reached is answered in `notFound`.
 */
export const REDRIVE_SCAN_LIMIT = 1000;

/** What the DLQ routes need. */
export interface DeadLetterRouteDeps {
  readonly sqs: SQSClient;
  readonly queues: SystemQueues;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly metrics: DeadLetterMetrics;
}

const operator = ({ issuer, subject }: OperatorIdentity) => ({ issuer, subject });

const OUTCOME_OF_STAGE = {
  refused: RedriveOutcome.refused,
  send: RedriveOutcome.sendFailed,
  delete: RedriveOutcome.deleteFailed,
} as const;

/** The counts of `ir_coordinator_dead_letters_redriven_total` one redrive adds, by outcome. */
export function redriveCounts(
  outcome: Pick<DeadLetterRedriveOutcome, 'moved' | 'problems'>,
): Record<RedriveOutcome, number> {
  const counts: Record<RedriveOutcome, number> = {
    moved: outcome.moved.length,
    refused: 0,
    send_failed: 0,
    delete_failed: 0,
  };
  for (const problem of outcome.problems) counts[OUTCOME_OF_STAGE[problem.stage]] += 1;
  return counts;
}

/**
 * Logs a failed SQS call and builds the 503 answer. Why only the error's name in the answer: an SDK
 * message can name roles and accounts, and the log has it.
 */
function unavailable(deps: DeadLetterRouteDeps, doing: string, error: unknown, context: object = {}) {
  const cause = isDeadLetterReadError(error) ? error.cause : error;
  deps.logger.error({ err: error, doing, ...context }, 'dead_letter_queue_unavailable');
  return {
    error: 'unavailable' as const,
    message: `${doing} failed (${errorName(cause)}); the coordinator's log has the detail`,
  };
}

/** `GET /dlq`: the depth of the five DLQs, in pipeline order. */
function registerDepthRoute(scope: ZodScope, deps: DeadLetterRouteDeps): void {
  const { deadLetterQueues: route } = operatorApi;
  scope.get(route.url, { schema: route.schema }, async (_request, reply) => {
    try {
      const queues = await Promise.all(
        SystemQueueName.options.map(async (queue) => {
          const { dlqName, dlqUrl } = await deps.queues(queue);
          return { queue, dlq: dlqName, ...(await readQueueDepth(deps.sqs, dlqUrl)) };
        }),
      );
      return reply.send({ queues });
    } catch (error: unknown) {
      return reply.code(503).send(unavailable(deps, 'reading the DLQ depths', error));
    }
  });
}

/** `GET /dlq/:queue/messages`: up to `limit` messages, received and released at once. */
function registerListRoute(scope: ZodScope, deps: DeadLetterRouteDeps): void {
  const { deadLetters: route } = operatorApi;
  scope.get(route.url, { schema: route.schema }, async (request, reply) => {
    const { queue } = request.params;
    const { limit } = request.query;
    try {
      const { dlqName, dlqUrl } = await deps.queues(queue);
      const peek = await peekDeadLetters(deps.sqs, dlqUrl, {
        limit,
        visibilityTimeout: LIST_VISIBILITY_SECONDS,
      });
      const context = {
        operator: operator(principalOf(request).identity),
        queue,
        count: peek.letters.length,
      };
      deps.logger.info({ ...context, unreleased: peek.unreleased }, 'dead_letters_listed');
      return reply.send({
        queue,
        dlq: dlqName,
        messages: peek.letters.map(deadLetterMessage),
        truncated: peek.letters.length >= limit,
      });
    } catch (error: unknown) {
      return reply.code(503).send(unavailable(deps, `reading the ${queue} DLQ`, error, { queue }));
    }
  });
}

/**
 * `POST /dlq/:queue/redrive`: send first, delete after, forged decisions refused; logged with the
 * operator's identity and counted, also when a receive fails part-way (what moved before it stays
 * moved, and the answer is 503 saying how many).
 */
function registerRedriveRoute(scope: ZodScope, deps: DeadLetterRouteDeps): void {
  const { redriveDeadLetters: route } = operatorApi;
  scope.post(route.url, { schema: route.schema }, async (request, reply) => {
    const { queue } = request.params;
    const body: RedriveRequest = request.body;
    let endpoints: QueueEndpoints;
    try {
      endpoints = await deps.queues(queue);
    } catch (error: unknown) {
      return reply.code(503).send(unavailable(deps, `looking up the ${queue} queues`, error, { queue }));
    }
    const context = {
      operator: operator(principalOf(request).identity),
      queue,
      from: endpoints.dlqName,
      to: endpoints.queueName,
      requested: body.messageIds ?? null,
      reason: body.reason ?? null,
    };
    const record = (outcome: Pick<DeadLetterRedriveOutcome, 'moved' | 'problems'>) => {
      for (const [label, count] of Object.entries(redriveCounts(outcome))) {
        if (count > 0) deps.metrics.redriven.inc({ queue, outcome: label }, count);
      }
    };
    let outcome: DeadLetterRedriveOutcome;
    try {
      outcome = await redriveDeadLetters(deps.sqs, {
        from: endpoints.dlqUrl,
        to: endpoints.url,
        ...(body.messageIds
          ? { messageIds: body.messageIds, limit: REDRIVE_SCAN_LIMIT }
          : { limit: body.limit }),
        refuse: redriveRefusal,
        visibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
      });
    } catch (error: unknown) {
      const partial = isDeadLetterReadError(error) ? error : { moved: [], problems: [] };
      record(partial);
      const { moved, problems } = partial;
      deps.logger.error(
        { ...context, moved, problems, failure: errorMessage(error) },
        'dead_letters_redriven',
      );
      const answer = unavailable(deps, `redriving ${endpoints.dlqName}`, error, { queue });
      return reply
        .code(503)
        .send({ ...answer, message: `${answer.message}; ${moved.length} message(s) moved before` });
    }
    record(outcome);
    const { moved, problems, notFound, unreleased } = outcome;
    deps.logger.info({ ...context, moved, problems, notFound, unreleased }, 'dead_letters_redriven');
    return reply.send({
      queue,
      from: endpoints.dlqName,
      to: endpoints.queueName,
      moved: [...moved],
      problems: problems.map(({ messageId, stage, message }) => ({ messageId, stage, message })),
      notFound: [...notFound],
    });
  });
}

/**
 * The dead-letter queues of the five work queues, in their own scope behind the same bearer-token
 * hook and roles as the rest of the operator API (`operatorApi`: depths viewer, messages responder,
 * redrive admin). Listing receives and releases at once, so it leaves the DLQ as found; a redrive
 * sends each message back first and deletes it from the DLQ after, refuses forged decisions
 * ({@link redriveRefusal}) even when named, and is logged with the operator's identity and counted.
 * A failed SQS call answers 503 `unavailable`.
 */
export function deadLetterRoutes(deps: DeadLetterRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (plain) => {
      plain.addHook('onRequest', authorize(deps.authenticator, deps.logger));
      const scope = useZodSchemas(plain);
      registerDepthRoute(scope, deps);
      registerListRoute(scope, deps);
      registerRedriveRoute(scope, deps);
    });
  };
}
