import { postJson } from '../delivery/http.js';
import { escapeMrkdwn } from '../format/escape.js';
import {
  approvalLines,
  factsOf,
  type Notification,
  stageTitle,
  titleOf,
  truncate,
} from '../format/notification.js';
import type { Channel } from './channel.js';

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
 * The Block Kit message: a header, the facts as fields, what was done, what waits for approval and
 * how to approve it, and the correlation id. `text` is the notification fallback Slack shows in
 * push notifications and screen readers.
 */
export function slackMessage(notification: Notification): Record<string, unknown> {
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

/** Settings of {@link slackChannel}. */
export interface SlackSettings {
  /** The incoming-webhook URL: a secret (whoever holds it can post). */
  readonly webhookUrl: string;
}

/** Slack through an incoming webhook; Slack answers 200 `ok`, 429 with Retry-After when rate-limited. */
export function slackChannel(settings: SlackSettings): Channel {
  return {
    name: 'slack',
    async send(notification, signal) {
      const answer = await postJson('slack', settings.webhookUrl, slackMessage(notification), signal);
      return { detail: { status: answer.status } };
    },
  };
}
