import { sendHttp } from '../delivery/http.js';
import { DeliveryError } from '../errors.js';
import {
  approvalLines,
  factsOf,
  type Notification,
  stageTitle,
  titleOf,
  truncate,
} from '../format/notification.js';
import type { Channel, ChannelReceipt } from './channel.js';
import { moveIssue } from './jira-transitions.js';

/** Settings of {@link jiraChannel}. */
export interface JiraSettings {
  readonly baseUrl: string;
  readonly email: string;
  /** An Atlassian API token: a secret, sent only in the Authorization header. */
  readonly apiToken: string;
  readonly projectKey: string;
  readonly issueType: string;
  /**
   * The workflow transitions (by name) the issue takes as the incident moves on, so the ticket shows
   * where the incident is: `contained` and `resolved`.
   */
  readonly transitions: { readonly contained: string; readonly resolved: string };
}

type AdfNode = Record<string, unknown>;
const text = (value: string): AdfNode => ({ type: 'text', text: value });
const paragraph = (value: string): AdfNode => ({ type: 'paragraph', content: [text(value)] });
const bullets = (items: readonly string[]): AdfNode => ({
  type: 'bulletList',
  content: items.map((item) => ({ type: 'listItem', content: [paragraph(item)] })),
});

/** The notification as an Atlassian Document Format document (REST API v3 descriptions and comments). */
export function jiraDocument(notification: Notification): AdfNode {
  const content: AdfNode[] = [
    {
      type: 'heading',
      attrs: { level: 3 },
      content: [text(`${stageTitle[notification.stage]}: ${notification.summary}`)],
    },
    bullets(factsOf(notification).map(([label, value]) => `${label}: ${value}`)),
  ];
  const disposition = dispositionLines(notification);
  if (disposition.length > 0) content.push(paragraph('Disposition:'), bullets(disposition));
  if (notification.actionsTaken.length > 0)
    content.push(paragraph('What was done:'), bullets(notification.actionsTaken));
  const approvals = approvalLines(notification);
  if (approvals.length > 0) content.push(paragraph('Waiting for approval:'), bullets(approvals));
  content.push(paragraph(`Correlation id ${notification.correlationId}`));
  return { type: 'doc', version: 1, content };
}

/**
 * The disposition of a resolved incident (`details` of the coordinator's `resolved` notification):
 * whether it was real, what kind it was, who decided. The ticket is where the organisation looks
 * afterwards, so it states them, not only the incident record.
 */
export function dispositionLines(notification: Notification): string[] {
  const { disposition, category, decidedBy, source } = notification.details;
  const line = (label: string, value: unknown) => (typeof value === 'string' ? [`${label}: ${value}`] : []);
  return [
    ...line('Disposition', disposition),
    ...line('Category', category),
    ...line('Decided by', decidedBy),
    ...line('Decided in', source),
  ];
}

/** The label that finds an incident's issue again: Jira labels allow no spaces. */
export function incidentLabel(incidentId: string): string {
  return `ir-incident-${incidentId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function parseJson(answer: { text: string }): Record<string, unknown> {
  try {
    return JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Jira Cloud REST API v3. The first notification of an incident creates an issue; later ones comment
 * on it. `contained` and `resolved` then move it through the workflow by the configured transition
 * names, read back (see {@link moveIssue}). The key comes from the command (`ticketKey`, echoed by
 * the coordinator from an earlier result) or, failing that, from a search by the incident's label, so
 * a redelivered `opened` command or a retry after a lost answer comments instead of opening a second
 * issue. A retry after a failed transition comments again: Jira offers no idempotency key for
 * comments, and a repeated comment is the lesser harm than a ticket left behind.
 */
export function jiraChannel(settings: JiraSettings): Channel {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Basic ${Buffer.from(`${settings.email}:${settings.apiToken}`).toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  async function findIssue(incidentId: string, signal: AbortSignal): Promise<string | undefined> {
    const jql = `project = "${settings.projectKey}" AND labels = "${incidentLabel(incidentId)}" ORDER BY created ASC`;
    const query = new URLSearchParams({ jql, fields: 'key', maxResults: '1' });
    const answer = await sendHttp(
      'jira',
      { method: 'GET', url: `${base}/rest/api/3/search/jql?${query}`, headers },
      signal,
    );
    const issues = parseJson(answer).issues;
    const key = Array.isArray(issues) ? (issues[0] as { key?: unknown } | undefined)?.key : undefined;
    return typeof key === 'string' ? key : undefined;
  }
  /** The transition a stage moves the issue through, if any. */
  const transitionOf = (notification: Notification) =>
    notification.stage === 'contained'
      ? settings.transitions.contained
      : notification.stage === 'resolved'
        ? settings.transitions.resolved
        : undefined;
  /** Moves the issue on when the stage has a transition, adding where it is to the receipt. */
  async function move(
    notification: Notification,
    key: string,
    detail: ChannelReceipt['detail'],
    signal: AbortSignal,
  ): Promise<ChannelReceipt> {
    const transition = transitionOf(notification);
    if (!transition) return { ticketKey: key, detail };
    const moved = await moveIssue(
      { base, headers },
      key,
      transition,
      { done: notification.stage === 'resolved' },
      signal,
    );
    return {
      ticketKey: key,
      detail: { ...detail, issueStatus: moved.status, transitioned: moved.transitioned },
    };
  }
  return {
    name: 'jira',
    async send(notification, signal) {
      const existing = notification.ticketKey ?? (await findIssue(notification.incidentId, signal));
      if (existing) {
        const answer = await sendHttp(
          'jira',
          {
            url: `${base}/rest/api/3/issue/${encodeURIComponent(existing)}/comment`,
            headers,
            body: JSON.stringify({ body: jiraDocument(notification) }),
          },
          signal,
        );
        return move(
          notification,
          existing,
          { status: answer.status, issueKey: existing, created: false },
          signal,
        );
      }
      const answer = await sendHttp(
        'jira',
        {
          url: `${base}/rest/api/3/issue`,
          headers,
          body: JSON.stringify({
            fields: {
              project: { key: settings.projectKey },
              issuetype: { name: settings.issueType },
              summary: truncate(titleOf(notification), 255),
              description: jiraDocument(notification),
              labels: [
                'ir-incident',
                incidentLabel(notification.incidentId),
                `ir-severity-${notification.severityBand.toLowerCase()}`,
              ],
            },
          }),
        },
        signal,
      );
      const key = parseJson(answer).key;
      if (typeof key !== 'string') {
        throw new DeliveryError('jira', `jira: HTTP ${answer.status} without an issue key`, {
          retryable: true,
          status: answer.status,
        });
      }
      return move(notification, key, { status: answer.status, issueKey: key, created: true }, signal);
    },
  };
}
