import { postJson } from '../delivery/http.js';
import { DeliveryError } from '../errors.js';
import { escapeMrkdwn } from '../format/escape.js';
import {
  approvalLines,
  factsOf,
  type HeldStep,
  heldSteps,
  type Notification,
  stageTitle,
  titleOf,
  truncate,
} from '../format/notification.js';
import type { Channel, ChannelReceipt } from './channel.js';

/** Slack's limits: header text 150 characters, section text 3000, at most 10 fields per section. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

const bandEmoji = {
  LOW: ':large_blue_circle:',
  MEDIUM: ':large_yellow_circle:',
  HIGH: ':large_orange_circle:',
  CRITICAL: ':red_circle:',
} as const;

/**
 * The `action_id`s of the approval buttons. The coordinator's interactivity endpoint
 * (`POST /slack/interactions`) acts on these two only.
 */
export const SLACK_APPROVE_ACTION = 'ir_approve';
/** @see SLACK_APPROVE_ACTION */
export const SLACK_REJECT_ACTION = 'ir_reject';

/** Slack's limits on buttons: text 75 characters, value 2000; confirm title 100, text 300. */
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;

const plain = (text: string, max: number) => ({ type: 'plain_text', text: truncate(text, max) });

/**
 * One actions block per held step: Approve (primary, behind a confirmation dialog) and Reject
 * (danger). Each button's `value` is `{"incidentId","stepId"}` as JSON, which is all the coordinator
 * needs: who clicked comes from Slack's signed request, never from the message. A step whose ids do
 * not fit in a button value gets no buttons (its text line still says how to approve it).
 */
export function approvalActions(incidentId: string, steps: readonly HeldStep[]): Record<string, unknown>[] {
  return steps.flatMap((step, index) => {
    const value = JSON.stringify({ incidentId, stepId: step.stepId });
    if (value.length > BUTTON_VALUE_MAX) return [];
    const which = steps.length > 1 ? ` ${step.action} (${step.stepId})` : '';
    return [
      {
        type: 'actions',
        // Unique in the message; the coordinator removes exactly this block once the step is decided.
        block_id: `ir_approval_${index}`,
        elements: [
          {
            type: 'button',
            action_id: SLACK_APPROVE_ACTION,
            style: 'primary',
            text: plain(`Approve${which}`, BUTTON_TEXT_MAX),
            value,
            confirm: {
              title: plain('Approve this step?', 100),
              text: {
                type: 'mrkdwn',
                text: truncate(
                  escapeMrkdwn(`${step.action} (step ${step.stepId}) of incident ${incidentId} will run.`),
                  300,
                ),
              },
              confirm: plain('Approve', 30),
              deny: plain('Cancel', 30),
            },
          },
          {
            type: 'button',
            action_id: SLACK_REJECT_ACTION,
            style: 'danger',
            text: plain(`Reject${which}`, BUTTON_TEXT_MAX),
            value,
          },
        ],
      },
    ];
  });
}

/**
 * The Block Kit message: a header, the facts as fields, what was done, what waits for approval and
 * how to approve it, and the correlation id. `text` is the notification fallback Slack shows in
 * push notifications and screen readers.
 */
export function slackMessage(
  notification: Notification,
  options: { readonly buttons?: boolean } = {},
): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${stageTitle[notification.stage]}: ${notification.summary}`, HEADER_MAX),
      },
    },
    {
      type: 'section',
      fields: factsOf(notification).map(([label, value]) => ({
        type: 'mrkdwn',
        text: truncate(
          `*${label}*\n${label === 'Severity' ? `${bandEmoji[notification.severityBand]} ` : ''}${escapeMrkdwn(value)}`,
          2000,
        ),
      })),
    },
  ];
  if (notification.actionsTaken.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*What was done*\n${notification.actionsTaken.map((a) => `• ${escapeMrkdwn(a)}`).join('\n')}`,
          SECTION_MAX,
        ),
      },
    });
  }
  const approvals = approvalLines(notification);
  if (approvals.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*Waiting for approval*\n${approvals.map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`,
          SECTION_MAX,
        ),
      },
    });
  }
  if (options.buttons) blocks.push(...approvalActions(notification.incidentId, heldSteps(notification)));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: escapeMrkdwn(`correlation ${notification.correlationId} · step ${notification.stepId}`),
      },
    ],
  });
  return { text: truncate(titleOf(notification), SECTION_MAX), blocks };
}

/** The bot of {@link slackChannel}'s Web API mode. */
export interface SlackBotSettings {
  /** The bot token (`xoxb-…`, scope `chat:write`): a secret, sent only in the Authorization header. */
  readonly token: string;
  /** The channel approval messages go to (an id such as `C0123456789` is stable across renames). */
  readonly channel: string;
  /** The Web API base, `https://slack.com/api` (tests point it at a local stand-in). */
  readonly apiUrl: string;
}

/** Settings of {@link slackChannel}: the incoming webhook, the bot, or both. */
export interface SlackSettings {
  /** The incoming-webhook URL: a secret (whoever holds it can post). */
  readonly webhookUrl?: string;
  readonly bot?: SlackBotSettings;
}

/**
 * Web API errors worth another attempt (Slack's side or its rate limit); every other `ok: false`
 * (`invalid_auth`, `channel_not_found`, `not_in_channel`, `invalid_blocks`, ...) needs a person to fix
 * the setup, so retrying only delays the fallback.
 */
const RETRYABLE_SLACK_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * One `chat.postMessage` call. Slack answers HTTP 200 even when it refuses, with `ok: false` and an
 * error code (which names no secret), so the body decides success; HTTP 429 and 5xx are handled by
 * `postJson` like every channel's.
 */
async function postMessage(
  bot: SlackBotSettings,
  message: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ status: number; channel: string; ts: string }> {
  const url = `${bot.apiUrl.replace(/\/+$/, '')}/chat.postMessage`;
  const answer = await postJson(
    'slack',
    url,
    { channel: bot.channel, unfurl_links: false, unfurl_media: false, ...message },
    signal,
    { authorization: `Bearer ${bot.token}`, 'content-type': 'application/json; charset=utf-8' },
  );
  let body: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown } = {};
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    // Not JSON: treated as a refusal below.
  }
  if (body.ok !== true) {
    const error = typeof body.error === 'string' ? body.error.slice(0, 80) : 'answer without ok';
    throw new DeliveryError('slack', `slack: chat.postMessage refused: ${error}`, {
      retryable: RETRYABLE_SLACK_ERRORS.has(error),
      status: answer.status,
    });
  }
  return {
    status: answer.status,
    channel: typeof body.channel === 'string' ? body.channel : bot.channel,
    ts: typeof body.ts === 'string' ? body.ts : '',
  };
}

/**
 * Slack through an incoming webhook (Slack answers 200 `ok`, 429 with Retry-After when rate-limited)
 * and, when a bot is configured, the Web API: a notification that holds steps for approval is posted
 * by the bot with Approve and Reject buttons (only a bot's message can carry buttons the coordinator
 * answers). Everything else goes to the webhook, or to the bot's channel without buttons when no
 * webhook is configured.
 */
export function slackChannel(settings: SlackSettings): Channel {
  const { webhookUrl, bot } = settings;
  if (!webhookUrl && !bot) throw new Error('the slack channel needs a webhook URL or a bot');
  return {
    name: 'slack',
    async send(notification, signal): Promise<ChannelReceipt> {
      const buttons = bot !== undefined && heldSteps(notification).length > 0;
      if (bot && (buttons || !webhookUrl)) {
        const posted = await postMessage(bot, slackMessage(notification, { buttons }), signal);
        return {
          detail: { status: posted.status, via: 'bot', buttons, channel: posted.channel, ts: posted.ts },
        };
      }
      const answer = await postJson('slack', webhookUrl ?? '', slackMessage(notification), signal);
      return { detail: { status: answer.status } };
    },
  };
}
