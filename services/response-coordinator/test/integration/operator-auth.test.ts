import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { IncidentAggregate } from '../../src/model.js';
import {
  DEMO_OPERATORS,
  eventually,
  findingTypes,
  type LocalIdentityProvider,
  OTHER_API_AUDIENCE,
  queueDepth,
  startIdentityProvider,
} from '@ir/testkit';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorFixture, type Fixture, finding } from './harness.js';
import { openAwaitingApproval, stopConsumer } from './worker-double.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The decision messages waiting on the coordinator queue (the consumer is stopped), removed. */
async function takeDecisions(fixture: Fixture, expected: number) {
  const url = fixture.system.queues.coordinator.url;
  const bodies: Record<string, unknown>[] = [];
  await eventually(
    async () => {
      const output = await fixture.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of output.Messages ?? []) {
        bodies.push(JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
        await fixture.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return bodies.length >= expected;
    },
    20_000,
    `${expected} decision message(s)`,
  );
  return bodies as { type: string; payload: Record<string, unknown> }[];
}

describe('operator API authentication and roles (real local IdP, coordinator on the emulator)', () => {
  let idp: LocalIdentityProvider;
  let strangerIdp: LocalIdentityProvider;
  let fixture: Fixture;
  let base: string;
  const incidentId = 'inc-auth';
  let heldStep = '';
  let approveUrl = '';
  let before: IncidentAggregate | undefined;

  const call = (url: string, token: string | undefined, body?: unknown) =>
    fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** The incident as the table holds it is exactly as before, and nothing waits on the coordinator queue. */
  const assertNothingChanged = async () => {
    const now = await fixture.incident(incidentId);
    expect(now?.version).toBe(before?.version);
    expect(now?.steps.find((s) => s.stepId === heldStep)?.status).toBe('awaiting-approval');
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    strangerIdp = await startIdentityProvider({ audience: idp.audience });
    fixture = await coordinatorFixture({
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
      // Small, so the one-second token of the expiry test is refused after three seconds.
      IR_OIDC_CLOCK_TOLERANCE_SECONDS: '1',
      // No cool-down: the rotation test's new key is fetched at once.
      IR_OIDC_JWKS_COOLDOWN_SECONDS: '0',
    });
    const started = await fixture.start();
    base = started.base;
    await openAwaitingApproval(
      fixture,
      incidentId,
      finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.7' }),
    );
    // From here the API runs without its consumer, so anything it sends stays on the queue to be seen.
    await stopConsumer(fixture, started);
    before = await fixture.incident(incidentId);
    heldStep = before?.steps.find((s) => s.status === 'awaiting-approval')?.stepId ?? '';
    approveUrl = `${base}/incidents/${incidentId}/steps/${encodeURIComponent(heldStep)}/approve`;
  }, 240_000);

  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
    await strangerIdp?.stop();
  });

  it('lets each role do what it may and answers 403 for the rest, changing nothing', async () => {
    // Prepare
    const viewer = await idp.operatorToken('viewer');
    const responder = await idp.operatorToken('responder');
    const nobody = await idp.operatorToken('noRole');
    const automation = await idp.clientToken('automation');
    // Act
    const viewerReads = await call(`${base}/incidents/${incidentId}`, viewer);
    const viewerList = await call(`${base}/incidents`, viewer);
    const automationReads = await call(`${base}/incidents/${incidentId}/report`, automation);
    const nobodyReads = await call(`${base}/incidents/${incidentId}`, nobody);
    const viewerApproves = await call(approveUrl, viewer, { reason: 'looks fine' });
    const responderApproves = await call(approveUrl, responder, { reason: 'looks fine' });
    const automationApproves = await call(approveUrl, automation, {});
    const viewerResolves = await call(`${base}/incidents/${incidentId}/resolve`, viewer, {});
    const viewerRollsBack = await call(`${base}/incidents/${incidentId}/rollback`, viewer, {});
    // Assess
    expect(viewerReads.status).toBe(200);
    expect(viewerList.status).toBe(200);
    expect(automationReads.status).toBe(200);
    expect(nobodyReads.status).toBe(403);
    for (const refused of [
      viewerApproves,
      responderApproves,
      automationApproves,
      viewerResolves,
      viewerRollsBack,
    ]) {
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: 'forbidden' });
      expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
    }
    await assertNothingChanged();
  });

  it('answers 401 with a challenge to a missing, expired, foreign, unsigned, tampered or unknown-key token', async () => {
    // Prepare
    const expiring = await idp.clientToken('shortLived');
    const wrongAudience = await idp.operatorToken('approver', { resource: OTHER_API_AUDIENCE });
    const wrongIssuer = await strangerIdp.operatorToken('approver');
    const genuine = await idp.operatorToken('approver');
    const claims = decodeJwt(genuine);
    const header = decodeProtectedHeader(genuine);
    const [, , signature] = genuine.split('.');
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    const viewerToken = await idp.operatorToken('viewer');
    const [viewerHeader, , viewerSignature] = viewerToken.split('.');
    const tampered = `${viewerHeader}.${b64({ ...decodeJwt(viewerToken), groups: ['ir-approvers'] })}.${viewerSignature}`;
    const forgedSignature = `${genuine.split('.').slice(0, 2).join('.')}.${signature?.slice(0, -4)}AAAA`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: randomUUID() })
      .sign(privateKey);
    const sameKidOtherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: String(header.kid) })
      .sign(privateKey);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Each with the reason the API gives, so a token is refused for the reason the case is about.
    const cases: [string, string | undefined, RegExp][] = [
      ['missing', undefined, /bearer token is required/],
      ['expired', expiring, /"exp" claim/],
      ['wrong audience', wrongAudience, /"aud" claim/],
      // Signed by another provider's key, which the issuer's key set does not hold.
      ['wrong issuer', wrongIssuer, /no applicable key/],
      ['alg none', unsigned, /alg|Unsecured/i],
      ['tampered claims', tampered, /signature verification failed/],
      ['forged signature', forgedSignature, /signature verification failed/],
      ['unknown key', unknownKid, /no applicable key/],
      ['same kid, other key', sameKidOtherKey, /signature verification failed/],
      ['not a JWT', 'test-token-0123456789abcdef', /Invalid Compact JWS|JWS/],
    ];
    for (const [what, token, reason] of cases) {
      // Act
      const response = await call(approveUrl, token, { reason: `try ${what}` });
      // Assess
      expect(response.status, what).toBe(401);
      expect(response.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="incident-response"/);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error, what).toBe('unauthorized');
      expect(body.message, what).toMatch(reason);
      await assertNothingChanged();
    }
  });

  it('records the token subject and issuer as the actor of an accepted decision, whatever the body says', async () => {
    // Prepare
    const approver = await idp.operatorToken('approver');
    const responder = await idp.operatorToken('responder');
    const other = 'inc-auth-resolve';
    const alice = DEMO_OPERATORS.approver;
    const bob = DEMO_OPERATORS.secondApprover;
    const rita = DEMO_OPERATORS.responder;
    // Act
    const approved = await call(approveUrl, approver, { by: 'mallory', reason: 'port probe, contained' });
    const [approval] = await takeDecisions(fixture, 1);
    await fixture.send(approval as never);
    const restarted = await fixture.start();
    await fixture.open(
      other,
      finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.8' }),
    );
    await eventually(
      async () =>
        (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === heldStep)?.approvals.length ===
        1,
      30_000,
      'the first approval recorded',
    );
    // A NACL block needs two people: the second approver releases it.
    const second = await call(
      `${restarted.base}/incidents/${incidentId}/steps/${encodeURIComponent(heldStep)}/approve`,
      await idp.operatorToken('secondApprover'),
      { reason: 'second pair of eyes' },
    );
    await eventually(
      async () =>
        (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === heldStep)?.status !==
        'awaiting-approval',
      30_000,
      'the second approval applied',
    );
    await eventually(
      async () => (await fixture.incident(other)) !== undefined,
      30_000,
      'second incident open',
    );
    const resolved = await call(`${restarted.base}/incidents/${other}/resolve`, responder, {
      by: 'root',
      disposition: 'false-positive',
      category: 'reconnaissance',
    });
    await eventually(
      async () => (await fixture.incident(other))?.incident.status === 'resolved',
      30_000,
      'the resolve applied',
    );
    const detail = (await (await call(`${restarted.base}/incidents/${incidentId}`, approver)).json()) as {
      steps: { stepId: string; approvedBy?: string }[];
      timeline: { kind: string; stepId?: string; detail?: Record<string, unknown> }[];
    };
    const closed = (await (await call(`${restarted.base}/incidents/${other}`, approver)).json()) as {
      incident: { resolvedBy?: string; disposition?: Record<string, unknown> };
      timeline: { kind: string; detail?: Record<string, unknown> }[];
    };
    // Assess
    expect(approved.status).toBe(202);
    expect(second.status).toBe(202);
    expect(resolved.status).toBe(202);
    const actor = { issuer: idp.issuer, subject: alice.subject, name: alice.name, email: alice.email };
    expect(approval).toMatchObject({
      type: 'approval.granted',
      payload: {
        stepId: heldStep,
        actor,
        by: `${alice.name} <${alice.email}>`,
        reason: 'port probe, contained',
      },
    });
    expect(JSON.stringify(approval)).not.toContain('mallory');
    expect(detail.steps.find((s) => s.stepId === heldStep)?.approvedBy).toBe(`${bob.name} <${bob.email}>`);
    expect(
      detail.timeline.find((e) => e.kind === 'step-approval-recorded' && e.stepId === heldStep)?.detail,
    ).toMatchObject({ actor });
    expect(
      detail.timeline.find((e) => e.kind === 'step-approved' && e.stepId === heldStep)?.detail,
    ).toMatchObject({
      actor: { issuer: idp.issuer, subject: bob.subject },
      requestedBy: {
        by: `${alice.name} <${alice.email}>`,
        actor: { issuer: idp.issuer, subject: alice.subject },
      },
    });
    expect(closed.incident.resolvedBy).toBe(`${rita.name} <${rita.email}>`);
    // The disposition is recorded with the verified identity, never the body's `by`.
    expect(closed.incident.disposition).toMatchObject({
      disposition: 'false-positive',
      category: 'reconnaissance',
      decidedBy: `${rita.name} <${rita.email}>`,
      decidedByActor: { issuer: idp.issuer, subject: rita.subject },
      source: 'operator',
    });
    expect(closed.timeline.find((e) => e.kind === 'incident-resolved')?.detail).toMatchObject({
      actor: { issuer: idp.issuer, subject: rita.subject },
    });
  });

  it('verifies tokens signed with a rotated key, and those issued before the rotation', async () => {
    // Prepare
    const service = base;
    const earlier = await idp.operatorToken('viewer');
    const warm = await call(`${service}/incidents`, earlier);
    // Act
    const kid = await idp.rotateSigningKey();
    const later = await idp.operatorToken('viewer');
    const withNewKey = await call(`${service}/incidents`, later);
    const withOldKey = await call(`${service}/incidents`, earlier);
    // Assess
    expect(warm.status).toBe(200);
    expect(decodeProtectedHeader(later).kid).toBe(kid);
    expect(decodeProtectedHeader(earlier).kid).not.toBe(kid);
    expect(withNewKey.status).toBe(200);
    expect(withOldKey.status).toBe(200);
  });
});
