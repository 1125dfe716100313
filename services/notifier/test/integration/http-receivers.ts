import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * Local stand-ins for Slack, PagerDuty, Jira and a webhook receiver. Each checks the request shape the
 * real service documents and answers as it does (400 on a malformed request), so a test that passes
 * here sent what the real service would accept. A script of statuses lets a test make a receiver fail.
 */

/** One request a receiver saw. */
export interface Received {
  readonly path: string;
  readonly at: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: string;
  readonly body: unknown;
  /** What the receiver answered. */
  readonly status: number;
}

/** A scripted answer: status and headers (e.g. Retry-After). */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Body to answer with (a receiver may echo parts of the request in its errors). */
  readonly body?: string;
}

/** A receiver under test control. */
export interface Receiver {
  readonly requests: Received[];
  /** Answers to give, in order, before answering normally; `always` keeps answering it. */
  script(answers: ScriptedAnswer[], always?: ScriptedAnswer): void;
  /** Requests the receiver accepted (2xx). */
  accepted(): Received[];
  reset(): void;
}

function createReceiver(): Receiver & { next(): ScriptedAnswer | undefined } {
  let queue: ScriptedAnswer[] = [];
  let always: ScriptedAnswer | undefined;
  const requests: Received[] = [];
  return {
    requests,
    script(answers, forever) {
      queue = [...answers];
      always = forever;
    },
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    reset() {
      queue = [];
      always = undefined;
      requests.splice(0);
    },
    next: () => queue.shift() ?? always,
  };
}

// Documented request shapes (only what the services check and we rely on).
const SlackBody = z.object({
  text: z.string().min(1),
  blocks: z
    .array(
      z.looseObject({
        type: z.enum(['header', 'section', 'context', 'divider', 'actions']),
        text: z
          .object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().min(1).max(3000) })
          .optional(),
        fields: z
          .array(z.object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().max(2000) }))
          .max(10)
          .optional(),
        block_id: z.string().min(1).max(255).optional(),
        elements: z.array(z.looseObject({ type: z.string().min(1) })).optional(),
      }),
    )
    .max(50),
});
// https://docs.slack.dev/reference/block-kit/block-elements/button-element
const SlackButton = z.looseObject({
  type: z.literal('button'),
  action_id: z.string().min(1).max(255),
  text: z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(75) }),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});
// https://docs.slack.dev/reference/methods/chat.postMessage (JSON body)
const SlackPostMessage = SlackBody.extend({ channel: z.string().min(1) }).superRefine((body, context) => {
  const ids = new Set<string>();
  for (const block of body.blocks) {
    if (block.block_id !== undefined) {
      if (ids.has(block.block_id)) context.addIssue({ code: 'custom', message: 'duplicate block_id' });
      ids.add(block.block_id);
    }
    if (block.type !== 'actions') continue;
    const buttons = z.array(SlackButton).min(1).max(25).safeParse(block.elements);
    if (!buttons.success) context.addIssue({ code: 'custom', message: 'invalid actions block' });
    const actionIds = (buttons.data ?? []).map((button) => button.action_id);
    if (new Set(actionIds).size !== actionIds.length)
      context.addIssue({ code: 'custom', message: 'duplicate action_id in a block' });
  }
});
const PagerDutyBody = z
  .object({
    routing_key: z.string().min(1),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255),
    payload: z
      .looseObject({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        timestamp: z.iso.datetime().optional(),
      })
      .optional(),
  })
  .refine(
    (body) => body.event_action !== 'trigger' || body.payload !== undefined,
    'payload is required for trigger',
  );
const AdfDoc = z.looseObject({
  type: z.literal('doc'),
  version: z.literal(1),
  content: z.array(z.looseObject({ type: z.string() })),
});
const JiraCreate = z.object({
  fields: z.looseObject({
    project: z.object({ key: z.string().min(1) }),
    issuetype: z.object({ name: z.string().min(1) }),
    summary: z.string().min(1).max(255),
    description: AdfDoc,
    labels: z.array(z.string().regex(/^\S+$/, 'labels cannot contain spaces')),
  }),
});
const JiraComment = z.object({ body: AdfDoc });
// https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-post
const JiraTransitionRequest = z.looseObject({ transition: z.looseObject({ id: z.string().min(1) }) });

/** A workflow status, as Jira returns it (`statusCategory.key`: new, indeterminate or done). */
export interface JiraStatus {
  readonly id: string;
  readonly name: string;
  readonly statusCategory: { readonly key: 'new' | 'indeterminate' | 'done'; readonly name: string };
}

/** The stand-in's workflow (Jira's simplified software workflow): its statuses, and transitions from each. */
export const JIRA_STATUSES = {
  todo: { id: '10000', name: 'To Do', statusCategory: { key: 'new', name: 'To Do' } },
  inProgress: { id: '3', name: 'In Progress', statusCategory: { key: 'indeterminate', name: 'In Progress' } },
  done: { id: '10001', name: 'Done', statusCategory: { key: 'done', name: 'Done' } },
} as const satisfies Record<string, JiraStatus>;
interface JiraWorkflowTransition {
  readonly id: string;
  readonly name: string;
  readonly to: JiraStatus;
  /** A global ("All") transition: offered from every status, its own target included, as Jira does. */
  readonly isGlobal: boolean;
}
const startWork = { id: '21', name: 'In Progress', to: JIRA_STATUSES.inProgress, isGlobal: true };
const JIRA_WORKFLOW: Record<string, readonly JiraWorkflowTransition[]> = {
  [JIRA_STATUSES.todo.id]: [startWork, { id: '31', name: 'Done', to: JIRA_STATUSES.done, isGlobal: false }],
  [JIRA_STATUSES.inProgress.id]: [
    startWork,
    { id: '11', name: 'To Do', to: JIRA_STATUSES.todo, isGlobal: false },
    { id: '31', name: 'Done', to: JIRA_STATUSES.done, isGlobal: false },
  ],
  [JIRA_STATUSES.done.id]: [startWork, { id: '41', name: 'Reopen', to: JIRA_STATUSES.todo, isGlobal: false }],
};

/** Settings the receivers check against (what the notifier is configured with). */
export interface ReceiverSecrets {
  readonly slackPath: string;
  readonly slackBotToken: string;
  readonly pagerDutyRoutingKey: string;
  readonly jiraEmail: string;
  readonly jiraToken: string;
  readonly webhookSecret: string;
  readonly webhookPath: string;
}

/** A Jira issue the stand-in holds. */
export interface JiraIssue {
  readonly key: string;
  readonly labels: readonly string[];
  readonly comments: unknown[];
  /** Where the issue is in the workflow; a transition changes it. */
  status: JiraStatus;
  /** Every transition applied, in order (ids). */
  readonly transitions: string[];
}

/**
 * Verifies X-IR-Signature exactly as docs/webhook-signature.md tells receivers to, written here from
 * the document (not with the notifier's own helper) so the test checks the documentation.
 */
export function verifyAsDocumented(
  secret: string,
  raw: string,
  headers: Received['headers'],
  nowSeconds: number,
): boolean {
  const timestamp = headers['x-ir-timestamp'];
  const signature = headers['x-ir-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(timestamp))
    return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
  return (
    expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

/** All four HTTP stand-ins on one fastify server on 127.0.0.1 (distinct paths, as distinct hosts would be). */
export async function startHttpReceivers(secrets: ReceiverSecrets) {
  const app: FastifyInstance = Fastify({ logger: false });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  const slack = createReceiver();
  // `posted`: the bodies Slack accepted (answered `ok: true`).
  const slackApi = Object.assign(createReceiver(), { posted: [] as string[] });
  const pagerDuty = createReceiver();
  const jira = createReceiver();
  const webhook = createReceiver();
  const issues = new Map<string, JiraIssue>();

  const record = (
    receiver: ReturnType<typeof createReceiver>,
    path: string,
    headers: Received['headers'],
    raw: string,
    status: number,
  ) => {
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    receiver.requests.push({ path, at: Date.now(), headers, raw, body, status });
    return body;
  };
  const answer = (reply: FastifyReply, scripted: ScriptedAnswer) =>
    reply.code(scripted.status).headers(scripted.headers ?? {});

  app.post(secrets.slackPath, async (request, reply) => {
    const raw = String(request.body ?? '');
    const scripted = slack.next();
    if (scripted) {
      record(slack, request.url, request.headers, raw, scripted.status);
      return answer(reply, scripted).send(scripted.body ?? 'error');
    }
    const valid = SlackBody.safeParse(safeJson(raw)).success;
    record(slack, request.url, request.headers, raw, valid ? 200 : 400);
    return reply
      .code(valid ? 200 : 400)
      .type('text/plain')
      .send(valid ? 'ok' : 'invalid_blocks');
  });

  // Slack's Web API: HTTP 200 whatever happens, `ok: false` with an error code when it refuses.
  app.post('/api/chat.postMessage', async (request, reply) => {
    const raw = String(request.body ?? '');
    const scripted = slackApi.next();
    if (scripted) {
      record(slackApi, request.url, request.headers, raw, scripted.status);
      return answer(reply, scripted)
        .type('application/json')
        .send(scripted.body ?? '{"ok":false,"error":"internal_error"}');
    }
    const authorised = request.headers.authorization === `Bearer ${secrets.slackBotToken}`;
    const parsed = SlackPostMessage.safeParse(safeJson(raw));
    const error = !authorised ? 'invalid_auth' : !parsed.success ? 'invalid_blocks' : undefined;
    record(slackApi, request.url, request.headers, raw, 200);
    if (error) return reply.send({ ok: false, error });
    slackApi.posted.push(raw);
    return reply.send({
      ok: true,
      channel: parsed.data?.channel,
      ts: `${Math.floor(Date.now() / 1000)}.${String(slackApi.posted.length).padStart(6, '0')}`,
    });
  });

  app.post('/v2/enqueue', async (request, reply) => {
    const raw = String(request.body ?? '');
    const scripted = pagerDuty.next();
    if (scripted) {
      record(pagerDuty, request.url, request.headers, raw, scripted.status);
      return answer(reply, scripted).send({
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly',
      });
    }
    const parsed = PagerDutyBody.safeParse(safeJson(raw));
    const valid = parsed.success && parsed.data.routing_key === secrets.pagerDutyRoutingKey;
    record(pagerDuty, request.url, request.headers, raw, valid ? 202 : 400);
    if (!valid) return reply.code(400).send({ status: 'invalid event', message: 'Event object is invalid' });
    return reply
      .code(202)
      .send({ status: 'success', message: 'Event processed', dedup_key: parsed.data.dedup_key });
  });

  const jiraAuth = `Basic ${Buffer.from(`${secrets.jiraEmail}:${secrets.jiraToken}`).toString('base64')}`;
  app.get('/rest/api/3/search/jql', async (request, reply) => {
    const authorised = request.headers.authorization === jiraAuth;
    record(jira, request.url, request.headers, '', authorised ? 200 : 401);
    if (!authorised) return reply.code(401).send({ errorMessages: ['unauthorised'] });
    const jql = String((request.query as Record<string, unknown>).jql ?? '');
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    const found = [...issues.values()].filter((issue) => label && issue.labels.includes(label));
    return reply.send({ issues: found.map((issue) => ({ id: issue.key, key: issue.key })), isLast: true });
  });
  app.post('/rest/api/3/issue', async (request, reply) => {
    const raw = String(request.body ?? '');
    const scripted = jira.next();
    if (scripted) {
      record(jira, request.url, request.headers, raw, scripted.status);
      return answer(reply, scripted).send({ errorMessages: ['scripted'] });
    }
    const parsed = JiraCreate.safeParse(safeJson(raw));
    const status = request.headers.authorization !== jiraAuth ? 401 : parsed.success ? 201 : 400;
    record(jira, request.url, request.headers, raw, status);
    if (status !== 201 || !parsed.success) return reply.code(status).send({ errors: { body: 'invalid' } });
    const key = `${parsed.data.fields.project.key}-${issues.size + 1}`;
    issues.set(key, {
      key,
      labels: parsed.data.fields.labels,
      comments: [],
      status: JIRA_STATUSES.todo,
      transitions: [],
    });
    return reply
      .code(201)
      .send({ id: String(issues.size), key, self: `http://127.0.0.1/rest/api/3/issue/${key}` });
  });
  app.post('/rest/api/3/issue/:key/comment', async (request, reply) => {
    const raw = String(request.body ?? '');
    const issue = issues.get((request.params as { key: string }).key);
    const parsed = JiraComment.safeParse(safeJson(raw));
    const status =
      request.headers.authorization !== jiraAuth ? 401 : !issue ? 404 : parsed.success ? 201 : 400;
    record(jira, request.url, request.headers, raw, status);
    if (status !== 201 || !issue || !parsed.success)
      return reply.code(status).send({ errorMessages: ['refused'] });
    issue.comments.push(parsed.data.body);
    return reply.code(201).send({ id: String(issue.comments.length) });
  });
  // GET issue (only `fields=status` is used): 404 for an unknown key, as Jira answers.
  app.get('/rest/api/3/issue/:key', async (request, reply) => {
    const issue = issues.get((request.params as { key: string }).key);
    const status = request.headers.authorization !== jiraAuth ? 401 : !issue ? 404 : 200;
    record(jira, request.url, request.headers, '', status);
    if (status !== 200 || !issue)
      return reply
        .code(status)
        .send({ errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
    return reply.send({ id: issue.key, key: issue.key, fields: { status: issue.status } });
  });
  // The transitions the workflow offers from the issue's current status.
  app.get('/rest/api/3/issue/:key/transitions', async (request, reply) => {
    const issue = issues.get((request.params as { key: string }).key);
    const status = request.headers.authorization !== jiraAuth ? 401 : !issue ? 404 : 200;
    record(jira, request.url, request.headers, '', status);
    if (status !== 200 || !issue) return reply.code(status).send({ errorMessages: ['refused'] });
    const offered = JIRA_WORKFLOW[issue.status.id] ?? [];
    return reply.send({
      expand: 'transitions',
      transitions: offered.map((transition) => ({
        ...transition,
        hasScreen: false,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      })),
    });
  });
  // Performs a transition: 204 and the status changes; 400 when the workflow offers no such
  // transition from the current status (Jira's answer).
  app.post('/rest/api/3/issue/:key/transitions', async (request, reply) => {
    const raw = String(request.body ?? '');
    const issue = issues.get((request.params as { key: string }).key);
    const parsed = JiraTransitionRequest.safeParse(safeJson(raw));
    const transition = parsed.success
      ? JIRA_WORKFLOW[issue?.status.id ?? '']?.find((each) => each.id === parsed.data.transition.id)
      : undefined;
    const status = request.headers.authorization !== jiraAuth ? 401 : !issue ? 404 : transition ? 204 : 400;
    record(jira, request.url, request.headers, raw, status);
    if (status !== 204 || !issue || !transition) {
      return reply.code(status).send({
        errorMessages: [`Transition id '${parsed.data?.transition.id ?? ''}' is not valid for this issue.`],
        errors: {},
      });
    }
    issue.status = transition.to;
    issue.transitions.push(transition.id);
    return reply.code(204).send();
  });

  app.post(secrets.webhookPath, async (request, reply) => {
    const raw = String(request.body ?? '');
    const scripted = webhook.next();
    if (scripted) {
      record(webhook, request.url, request.headers, raw, scripted.status);
      return answer(reply, scripted).send();
    }
    const valid = verifyAsDocumented(
      secrets.webhookSecret,
      raw,
      request.headers,
      Math.floor(Date.now() / 1000),
    );
    record(webhook, request.url, request.headers, raw, valid ? 204 : 401);
    return reply.code(valid ? 204 : 401).send();
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    slack,
    slackApi,
    pagerDuty,
    jira,
    webhook,
    issues,
    reset() {
      for (const receiver of [slack, slackApi, pagerDuty, jira, webhook]) receiver.reset();
      slackApi.posted.splice(0);
    },
    close: () => app.close(),
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
