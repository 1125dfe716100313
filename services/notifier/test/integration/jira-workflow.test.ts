import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JIRA_STATUSES } from './http-receivers.js';
import { type NotifierFixture, startNotifier } from './notifier-fixture.js';

type Outcome = { channel: string; outcome: string; attempts: number; error?: string };

const base = {
  severityBand: 'CRITICAL' as const,
  summary: 'Credential exfiltration from a build agent',
};

/** The text of an Atlassian document (every `text` node, in order). */
function adfText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const { text, content } = node as { text?: unknown; content?: unknown };
  const own = typeof text === 'string' ? text : '';
  return [own, ...(Array.isArray(content) ? content.map(adfText) : [])].filter(Boolean).join('\n');
}

/**
 * The Jira channel moving the ticket with the incident, against the local Jira stand-in, whose
 * workflow is real state: a transition is refused unless offered from the issue's status, and
 * changes the status the issue is read back with.
 */
describe('jira channel: workflow transitions (local Jira REST stand-in)', () => {
  let fx: NotifierFixture;
  beforeAll(async () => {
    fx = await startNotifier();
  });
  afterAll(async () => {
    await fx?.stop();
  });
  beforeEach(() => fx.reset());

  /** Opens an incident's issue; returns the incident id and the issue key. */
  async function opened() {
    const command = await fx.send({ ...base, stage: 'opened' });
    const result = await fx.resultOf(command);
    const ticketKey = result.type === 'step.succeeded' ? String(result.payload.result.ticketKey) : '';
    expect(fx.http.issues.get(ticketKey)?.status).toEqual(JIRA_STATUSES.todo);
    fx.reset();
    return { incidentId: command.incidentId, ticketKey };
  }

  it('moves the issue to the configured status on contained, and reads it back', async () => {
    // Prepare
    const { incidentId, ticketKey } = await opened();
    // Act
    const result = await fx.resultOf(
      await fx.send({ ...base, stage: 'contained', ticketKey }, { incidentId }),
    );
    // Assess: the stand-in's state, and the requests in the order the channel made them
    expect(result.type).toBe('step.succeeded');
    const issue = fx.http.issues.get(ticketKey);
    expect(issue?.status).toEqual(JIRA_STATUSES.inProgress);
    expect(issue?.transitions).toEqual(['21']);
    expect(issue?.comments).toHaveLength(1);
    expect(fx.http.jira.accepted().map((r) => r.path)).toEqual([
      `/rest/api/3/issue/${ticketKey}/comment`,
      `/rest/api/3/issue/${ticketKey}?fields=status`,
      `/rest/api/3/issue/${ticketKey}/transitions`,
      `/rest/api/3/issue/${ticketKey}/transitions`,
      `/rest/api/3/issue/${ticketKey}?fields=status`,
    ]);
    expect(fx.http.jira.accepted()[3]?.body).toEqual({ transition: { id: '21' } });
    const verified = result.type === 'step.succeeded' ? result.payload.verified : undefined;
    expect(verified?.jira).toMatchObject({ issueStatus: 'In Progress', transitioned: true });
  });

  it('does not transition again on a redelivered contained, though the workflow offers the transition', async () => {
    // Prepare: "In Progress" is a global transition, offered from In Progress itself
    const { incidentId, ticketKey } = await opened();
    const params = { ...base, stage: 'contained' as const, ticketKey };
    await fx.resultOf(await fx.send(params, { incidentId }));
    // Act
    const again = await fx.resultOf(await fx.send(params, { incidentId }));
    // Assess
    expect(again.type).toBe('step.succeeded');
    expect(fx.http.issues.get(ticketKey)?.transitions).toEqual(['21']);
    expect(fx.http.issues.get(ticketKey)?.comments).toHaveLength(2);
    const verified = again.type === 'step.succeeded' ? again.payload.verified : undefined;
    expect(verified?.jira).toMatchObject({ issueStatus: 'In Progress', transitioned: false });
  });

  it('comments the disposition on resolved and closes the issue; a redelivery does not transition again', async () => {
    // Prepare
    const { incidentId, ticketKey } = await opened();
    const params = {
      ...base,
      stage: 'resolved' as const,
      summary: 'Incident resolved by Ada Lovelace <ada@example.com> as true-positive (credential-compromise)',
      ticketKey,
      details: { disposition: 'true-positive', category: 'credential-compromise' },
    };
    // Act
    const first = await fx.resultOf(await fx.send(params, { incidentId }));
    const again = await fx.resultOf(await fx.send(params, { incidentId }));
    // Assess
    expect([first.type, again.type]).toEqual(['step.succeeded', 'step.succeeded']);
    const issue = fx.http.issues.get(ticketKey);
    expect(issue?.status).toEqual(JIRA_STATUSES.done);
    expect(issue?.transitions).toEqual(['31']);
    const comment = adfText(issue?.comments[0]);
    expect(comment).toContain('Disposition: true-positive');
    expect(comment).toContain('Category: credential-compromise');
    expect(comment).toContain('Ada Lovelace');
    const posted = fx.http.jira.requests.filter(
      (r) => r.path === `/rest/api/3/issue/${ticketKey}/transitions` && r.raw !== '',
    );
    expect(posted).toHaveLength(1);
    const verified = again.type === 'step.succeeded' ? again.payload.verified : undefined;
    expect(verified?.jira).toMatchObject({ issueStatus: 'Done', transitioned: false });
  });

  it('leaves a ticket a person already closed in Jira where it is on resolved, and still comments', async () => {
    // Prepare: closed in Jira first (the webhook's path); Done offers only Reopen
    const { incidentId, ticketKey } = await opened();
    const issue = fx.http.issues.get(ticketKey);
    if (issue) issue.status = JIRA_STATUSES.done;
    // Act
    const result = await fx.resultOf(
      await fx.send(
        {
          ...base,
          stage: 'resolved',
          ticketKey,
          details: { disposition: 'false-positive', category: 'reconnaissance' },
        },
        { incidentId },
      ),
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect(issue?.status).toEqual(JIRA_STATUSES.done);
    expect(issue?.transitions).toEqual([]);
    expect(adfText(issue?.comments[0])).toContain('Disposition: false-positive');
    const channels = result.type === 'step.succeeded' ? (result.payload.result.channels as Outcome[]) : [];
    expect(channels.find((outcome) => outcome.channel === 'jira')?.outcome).toBe('delivered');
  });
});

describe('jira channel: a transition name the workflow does not offer', () => {
  let fx: NotifierFixture;
  beforeAll(async () => {
    fx = await startNotifier({ env: { IR_JIRA_TRANSITION_CONTAINED: 'Start Containment' } });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('fails the Jira delivery naming the transitions offered, and leaves the issue where it was', async () => {
    // Prepare
    const command = await fx.send({ ...base, stage: 'opened' });
    const first = await fx.resultOf(command);
    const ticketKey = first.type === 'step.succeeded' ? String(first.payload.result.ticketKey) : '';
    fx.reset();
    // Act
    const result = await fx.resultOf(
      await fx.send({ ...base, stage: 'contained', ticketKey }, { incidentId: command.incidentId }),
    );
    // Assess: the other channels delivered; Jira failed once (not retried), with a clear reason
    expect(result.type).toBe('step.succeeded');
    const channels = result.type === 'step.succeeded' ? (result.payload.result.channels as Outcome[]) : [];
    const jira = channels.find((outcome) => outcome.channel === 'jira');
    expect(jira).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(jira?.error).toContain('no transition named "Start Containment"');
    expect(jira?.error).toContain('its workflow offers "In Progress", "Done"');
    expect(fx.http.issues.get(ticketKey)?.status).toEqual(JIRA_STATUSES.todo);
    expect(fx.http.issues.get(ticketKey)?.transitions).toEqual([]);
  });
});
