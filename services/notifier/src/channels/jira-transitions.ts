import { sendHttp } from '../delivery/http.js';
import { DeliveryError } from '../errors.js';

/** A workflow status as Jira REST API v3 returns it (the fields read here). */
interface JiraStatus {
  readonly id: string;
  readonly name: string;
  readonly category: string | undefined;
}

/** One entry of `GET /rest/api/3/issue/{key}/transitions`. */
interface JiraTransition {
  readonly id: string;
  readonly name: string;
  readonly to: JiraStatus;
}

/** What {@link moveIssue} did: the status the issue is in now, read back from Jira. */
export interface IssueMove {
  readonly status: string;
  /** False when the issue was already in the transition's target (nothing was posted). */
  readonly transitioned: boolean;
}

/** How {@link moveIssue} reaches Jira: the site's base URL and the authenticated headers. */
export interface JiraApi {
  readonly base: string;
  readonly headers: Readonly<Record<string, string>>;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function statusOf(value: unknown): JiraStatus | undefined {
  const status = record(value);
  if (typeof status.id !== 'string' || typeof status.name !== 'string') return undefined;
  const category = record(status.statusCategory).key;
  return { id: status.id, name: status.name, category: typeof category === 'string' ? category : undefined };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Moves an issue through its workflow by the transition's name, the way a person would click it,
 * and reads the issue back to prove where it landed. Why by name: transition ids differ between
 * workflows and sites, names are what an admin sees and configures.
 *
 * Idempotent: when the issue already is in the transition's target status (a redelivered command,
 * or a ticket a person closed in Jira first) nothing is posted. When the workflow offers no
 * transition of that name from the issue's status, the issue counts as already there if its status
 * has that name, or, for `done` (the resolved transition), if it is in the done category; otherwise
 * the delivery fails, naming the transitions the workflow does offer so the setting can be fixed.
 */
export async function moveIssue(
  api: JiraApi,
  key: string,
  transitionName: string,
  options: { readonly done: boolean },
  signal: AbortSignal,
): Promise<IssueMove> {
  const issueUrl = `${api.base}/rest/api/3/issue/${encodeURIComponent(key)}`;
  const readStatus = async (): Promise<JiraStatus> => {
    const answer = await sendHttp(
      'jira',
      { method: 'GET', url: `${issueUrl}?fields=status`, headers: api.headers },
      signal,
    );
    const status = statusOf(record(record(parse(answer.text)).fields).status);
    if (!status) {
      throw new DeliveryError('jira', `jira: ${key} was read without a status (HTTP ${answer.status})`, {
        retryable: true,
        status: answer.status,
      });
    }
    return status;
  };

  const before = await readStatus();
  const listed = await sendHttp(
    'jira',
    { method: 'GET', url: `${issueUrl}/transitions`, headers: api.headers },
    signal,
  );
  const entries = record(parse(listed.text)).transitions;
  const transitions: JiraTransition[] = (Array.isArray(entries) ? entries : []).flatMap((entry) => {
    const { id, name, to } = record(entry);
    const target = statusOf(to);
    return typeof id === 'string' && typeof name === 'string' && target ? [{ id, name, to: target }] : [];
  });
  const transition = transitions.find((each) => sameName(each.name, transitionName));
  if (!transition) {
    if (sameName(before.name, transitionName) || (options.done && before.category === 'done')) {
      return { status: before.name, transitioned: false };
    }
    const offered = transitions.map((each) => `"${each.name}"`).join(', ') || 'none';
    throw new DeliveryError(
      'jira',
      `jira: ${key} (status "${before.name}") has no transition named "${transitionName}"; its workflow offers ${offered}: set the transition name the workflow uses`,
      { retryable: false, reason: 'jira-transition-unknown' },
    );
  }
  if (before.id === transition.to.id) return { status: before.name, transitioned: false };

  await sendHttp(
    'jira',
    {
      url: `${issueUrl}/transitions`,
      headers: api.headers,
      body: JSON.stringify({ transition: { id: transition.id } }),
    },
    signal,
  );
  const after = await readStatus();
  if (after.id !== transition.to.id) {
    // Not retried: a workflow post-function or a concurrent edit moved it; another attempt would
    // comment again and probably land in the same place.
    throw new DeliveryError(
      'jira',
      `jira: ${key} is in status "${after.name}" after transition "${transition.name}", which leads to "${transition.to.name}"`,
      { retryable: false, reason: 'jira-transition-unverified' },
    );
  }
  return { status: after.name, transitioned: true };
}
