/**
 * Issue 18, "decisions are authenticated end to end": anyone who can send to the coordinator queue
 * can put an `approval.granted` or a `rollback.requested` on it. The coordinator must refuse each one
 * the operator API did not sign, dead-letter it with its reason, count it for the alert, and change
 * nothing; and go on applying real decisions.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage, type MessageOf, type WorkerQueue } from '@ir/contracts';
import { createLogger, DlqAttribute } from '@ir/runtime';
import { eventually, findingTypes } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecisionMessage, DecisionKeyring } from '../../src/decision-signing.js';
import { coordinatorFixture, type Fixture, finding, STATIC_TOKEN_ACTOR, TEST_TOKEN } from './harness.js';
import { playWorkers } from './worker-double.js';

const mallory = { issuer: 'https://idp.example.test', subject: 'mallory-sub', name: 'Mallory' };
const alice = { issuer: 'https://idp.example.test', subject: 'alice-sub', name: 'Alice' };

/** The value of one series of a counter in a `/metrics` text. */
function counterValue(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const line = metrics
    .split('\n')
    .find(
      (each) =>
        each.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => each.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('forged operator decisions on the coordinator queue (on the emulator)', () => {
  let fixture: Fixture;
  let base: string;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    // Every containment waits for one approval (the blast radius is 0), so one real approval runs it.
    fixture = await coordinatorFixture({ IR_MAX_AUTO_CONTAINMENTS: '0', IR_APPROVAL_TIMEOUT_SECONDS: '600' });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    const started = await fixture.start({
      logger: createLogger({ service: 'response-coordinator', level: 'info', destination }),
    });
    base = started.base;
  });
  afterAll(async () => fixture.stop());

  it('dead-letters unsigned, wrongly signed and re-used signatures, changes nothing, and still applies real decisions', async () => {
    // Prepare: an incident with a containment held for approval, nothing in flight.
    const incidentId = 'inc-forged';
    await fixture.open(
      incidentId,
      finding({
        type: findingTypes.c2Dns,
        severity: 8,
        resource: { kind: 'instance', instanceId: 'i-0f0f0f0f0f0f0f0f0' },
      }),
    );
    await playWorkers(fixture, incidentId, {
      until: (_status, steps) =>
        Object.entries(steps).some(
          ([id, status]) => id.startsWith('isolate-') && status === 'awaiting-approval',
        ) && !Object.values(steps).includes('dispatched'),
      what: 'the isolation awaiting approval, nothing in flight',
    });
    const before = await fixture.repository.load(incidentId);
    const held = before.aggregate?.steps.find(
      (step) => step.action === 'contain.ec2-instance' && step.status === 'awaiting-approval',
    );
    const stepId = held?.stepId ?? '';
    const envelope = {
      incidentId,
      correlationId: before.aggregate?.incident.correlationId ?? '',
      causationId: null,
      producer: 'response-coordinator-api',
      dryRun: false,
    };
    const approve = (payload: MessageOf<'approval.granted'>['payload']) =>
      buildMessage('approval.granted', { ...envelope, payload });
    const forgedPayload = { stepId, by: 'Mallory', actor: mallory };
    // The coordinator's own key, as the operator API holds it: what a captured, genuine signature is made with.
    const coordinatorKey = fixture.config.decisionSigning;
    const otherKey = DecisionKeyring.of(randomBytes(32));
    const signedElsewhere = otherKey.sign(approve(forgedPayload));
    // Its own message (ids must differ: the DLQ copies are matched to their reason by id).
    const alsoSignedElsewhere = otherKey.sign(approve(forgedPayload));
    const genuineForAlice = coordinatorKey.sign(approve({ stepId, by: 'Alice', actor: alice }));
    const genuineForOtherStep = coordinatorKey.sign(
      approve({ stepId: 'another-step', by: 'Alice', actor: alice }),
    );
    const lifted = genuineForAlice.payload.signature;
    const forged: Record<string, { message: DecisionMessage; reason: string }> = {
      unsigned: { message: approve(forgedPayload), reason: 'decision-signature-missing' },
      'wrong key': { message: signedElsewhere, reason: 'decision-signature-unknown-key' },
      'wrong key, our key id': {
        message: {
          ...alsoSignedElsewhere,
          payload: {
            ...alsoSignedElsewhere.payload,
            signature: {
              alg: 'HMAC-SHA256',
              keyId: coordinatorKey.keyId,
              mac: alsoSignedElsewhere.payload.signature?.mac ?? '',
            },
          },
        },
        reason: 'decision-signature-mismatch',
      },
      'genuine signature, actor changed': {
        message: {
          ...genuineForAlice,
          payload: { ...genuineForAlice.payload, by: 'Mallory', actor: mallory },
        },
        reason: 'decision-signature-mismatch',
      },
      'genuine signature, step changed': {
        message: { ...genuineForOtherStep, payload: { ...genuineForOtherStep.payload, stepId } },
        reason: 'decision-signature-mismatch',
      },
      'unsigned rollback': {
        message: buildMessage('rollback.requested', {
          ...envelope,
          payload: { by: 'Mallory', actor: mallory },
        }),
        reason: 'decision-signature-missing',
      },
      'rollback with a lifted signature': {
        message: buildMessage('rollback.requested', {
          ...envelope,
          payload: { by: 'Alice', actor: alice, ...(lifted ? { signature: lifted } : {}) },
        }),
        reason: 'decision-signature-mismatch',
      },
    };
    const expectedReasons = Object.fromEntries(
      Object.values(forged).map(({ message, reason }) => [message.id, reason]),
    );

    // Act: straight onto the coordinator queue, as a service with sqs:SendMessage could.
    for (const { message } of Object.values(forged)) await fixture.send(message);
    const dlq: Record<string, Record<string, string | undefined>> = {};
    await eventually(
      async () => {
        const output = await fixture.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: fixture.system.queues.coordinator.dlqUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 300,
            MessageAttributeNames: ['All'],
          }),
        );
        for (const message of output.Messages ?? []) {
          const body = JSON.parse(message.Body ?? '{}') as { id: string };
          dlq[body.id] = Object.fromEntries(
            Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
          );
        }
        return Object.keys(dlq).length >= Object.keys(forged).length;
      },
      30_000,
      'every forged decision in the coordinator DLQ',
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const after = await fixture.repository.load(incidentId);
    const newCommands: string[] = [];
    for (const queue of ['isolator', 'forensics', 'notifier'] as WorkerQueue[]) {
      const output = await fixture.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: fixture.system.queues[queue].url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 0,
        }),
      );
      for (const message of output.Messages ?? []) {
        const command = JSON.parse(message.Body ?? '{}') as { id: string; incidentId: string; type: string };
        if (command.incidentId === incidentId && !fixture.seen.some((seen) => seen.id === command.id)) {
          newCommands.push(`${queue}: ${command.type}`);
        }
      }
    }
    // A real approval, through the API, afterwards.
    const approved = await fetch(
      `${base}/incidents/${incidentId}/steps/${encodeURIComponent(stepId)}/approve`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'checked the source' }),
      },
    );
    const [command] = (await fixture.commands(1, ['isolator'])).filter(
      (each) => each.incidentId === incidentId && each.payload.stepId === stepId,
    );
    const applied = await fixture.incident(incidentId);

    // Assess: each refused for its reason, in the DLQ.
    expect(held?.holdReasons).toEqual(['blast-radius']);
    expect(Object.keys(dlq).sort()).toEqual(Object.keys(expectedReasons).sort());
    for (const [id, attributes] of Object.entries(dlq)) {
      expect({ id, reason: attributes[DlqAttribute.reason] }).toEqual({ id, reason: expectedReasons[id] });
      expect(attributes[DlqAttribute.error]).toBe('ForgedDecisionError');
      expect(attributes[DlqAttribute.detail]).toMatch(/its signature is/);
    }
    // Counted, for the alert.
    const forgedTotal = (type: string, reason: string) =>
      counterValue(metrics, 'ir_coordinator_forged_decisions_total', { type, reason });
    expect(forgedTotal('approval.granted', 'missing')).toBe(1);
    expect(forgedTotal('approval.granted', 'unknown-key')).toBe(1);
    expect(forgedTotal('approval.granted', 'mismatch')).toBe(3);
    expect(forgedTotal('rollback.requested', 'missing')).toBe(1);
    expect(forgedTotal('rollback.requested', 'mismatch')).toBe(1);
    expect(forgedTotal('approval.rejected', 'missing')).toBe(0);
    // Logged with who they claim to be from, never with a MAC.
    const refusals = logLines.filter((line) => line.msg === 'forged_decision_refused');
    expect(refusals).toHaveLength(Object.keys(forged).length);
    expect(
      refusals.find((line) => line.type === 'rollback.requested' && line.reason === 'missing'),
    ).toMatchObject({
      level: 'error',
      incidentId,
      claimedActor: mallory,
      claimedBy: 'Mallory',
    });
    const logged = JSON.stringify(logLines);
    for (const { message } of Object.values(forged)) {
      const mac = message.payload.signature?.mac;
      if (mac) expect(logged).not.toContain(mac);
    }
    // Nothing changed: same version, the step still held, no rollback, no new timeline entry or command.
    expect(after.aggregate?.version).toBe(before.aggregate?.version);
    expect(after.aggregate?.incident.status).toBe(before.aggregate?.incident.status);
    expect(after.aggregate?.incident.rollbackRequestedAt).toBeUndefined();
    expect(after.aggregate?.steps.find((step) => step.stepId === stepId)?.status).toBe('awaiting-approval');
    expect(after.timeline).toHaveLength(before.timeline.length);
    expect(newCommands).toEqual([]);
    // And the worker still applies the real decision.
    expect(approved.status).toBe(202);
    expect(command?.type).toBe('contain.ec2-instance');
    expect(applied?.steps.find((step) => step.stepId === stepId)).toMatchObject({
      status: 'dispatched',
      approvedBy: STATIC_TOKEN_ACTOR,
    });
  });
});
