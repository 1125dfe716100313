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
import type { Channel } from './channel.js';

/** Settings of {@link jiraChannel}. */
export interface JiraSettings {
  readonly baseUrl: string;
  readonly email: string;
  /** An Atlassian API token: a secret, sent only in the Authorization header. */
  readonly apiToken: string;
  readonly projectKey: string;
  readonly issueType: string;
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
  if (notification.actionsTaken.length > 0)
    content.push(paragraph('What was done:'), bullets(notification.actionsTaken));
  const approvals = approvalLines(notification);
  if (approvals.length > 0) content.push(paragraph('Waiting for approval:'), bullets(approvals));
  content.push(paragraph(`Correlation id ${notification.correlationId}`));
  return { type: 'doc', version: 1, content };
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
 * on it. The key comes from the command (`ticketKey`, echoed by the coordinator from an earlier
 * result) or, failing that, from a search by the incident's label, so a redelivered `opened` command
 * or a retry after a lost answer comments instead of opening a second issue.
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
        return { ticketKey: existing, detail: { status: answer.status, issueKey: existing, created: false } };
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
      return { ticketKey: key, detail: { status: answer.status, issueKey: key, created: true } };
    },
  };
}
