import {
  buildMessage,
  type Finding,
  jsonSchemas,
  MessageType,
  messageSchemas,
  parseFindings,
  parseMessage,
  resourceKey,
} from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

const envelope = {
  incidentId: 'inc-2024-0001',
  correlationId: 'corr-1',
  causationId: null,
  producer: 'response-coordinator',
  dryRun: false,
};
const fixed = {
  now: () => new Date('2024-05-02T14:05:00Z'),
  newId: () => '6f1c2b7e-2a4d-4c1e-9b8a-0d3e5f7a9c11',
};
const target = { accountId: '444455556666', region: 'eu-west-1' };

describe('buildMessage and parseMessage', () => {
  it('round-trip an incident.opened carrying a parsed finding', () => {
    // Prepare
    const [finding] = parseFindings(fixture('guardduty-eventbridge-ec2-multi-eni.json')) as [Finding];
    // Act
    const built = buildMessage(
      'incident.opened',
      {
        ...envelope,
        payload: { finding, severityBand: 'HIGH', receivedAt: '2024-05-02T14:04:59.120Z', flags: {} },
      },
      fixed,
    );
    const parsed = parseMessage(JSON.stringify(built));
    // Assess
    expect(built).toMatchObject({
      v: 1,
      id: fixed.newId(),
      sentAt: '2024-05-02T14:05:00.000Z',
      type: 'incident.opened',
    });
    expect(parsed).toEqual(JSON.parse(JSON.stringify(built)));
    if (parsed.type !== 'incident.opened') throw new Error('narrowing failed');
    expect(resourceKey(parsed.payload.finding.resources[0]!)).toBe('ec2-instance:i-0a1b2c3d4e5f67890');
  });

  it('round-trip step commands, results and operator messages', () => {
    // Prepare / Act
    const messages = [
      buildMessage('contain.ec2-instance', {
        ...envelope,
        payload: {
          stepId: 's1',
          action: 'contain.ec2-instance',
          playbookId: 'ec2-compromise',
          target,
          timeoutSeconds: 300,
          params: { instanceId: 'i-1' },
        },
      }),
      buildMessage('contain.block-ip', {
        ...envelope,
        payload: {
          stepId: 's2',
          action: 'contain.block-ip',
          playbookId: 'p',
          target,
          timeoutSeconds: 60,
          params: { subnetId: 'subnet-1', cidr: '203.0.113.7/32' },
        },
      }),
      buildMessage('rollback.ec2-instance', {
        ...envelope,
        payload: {
          stepId: 's3',
          action: 'rollback.ec2-instance',
          playbookId: 'p',
          target,
          timeoutSeconds: 60,
          params: { originalStepId: 's1', preState: { enis: {} } },
        },
      }),
      buildMessage('evidence.seal', {
        ...envelope,
        payload: {
          stepId: 's4',
          action: 'evidence.seal',
          playbookId: 'p',
          target,
          timeoutSeconds: 60,
          params: {},
        },
      }),
      buildMessage('notify.incident', {
        ...envelope,
        payload: {
          stepId: 's5',
          action: 'notify.incident',
          playbookId: 'p',
          target,
          timeoutSeconds: 30,
          params: { stage: 'contained', severityBand: 'HIGH', summary: 'i-1 isolated' },
        },
      }),
      buildMessage('step.failed', {
        ...envelope,
        causationId: 'c0',
        payload: {
          stepId: 's1',
          action: 'contain.ec2-instance',
          reason: 'The isolation group still has an egress rule; remove it by hand.',
          errorName: 'VerificationError',
          retryable: false,
          failedAt: '2024-05-02T14:06:00Z',
        },
      }),
      buildMessage('approval.granted', { ...envelope, payload: { stepId: 's2', by: 'alice@example.com' } }),
      buildMessage('incident.resolve-requested', {
        ...envelope,
        payload: { by: 'bob', reason: 'false positive', disposition: 'false-positive', category: 'other' },
      }),
    ];
    const parsed = messages.map((message) => parseMessage(JSON.stringify(message)));
    // Assess
    expect(parsed.map((message) => message.type)).toEqual([
      'contain.ec2-instance',
      'contain.block-ip',
      'rollback.ec2-instance',
      'evidence.seal',
      'notify.incident',
      'step.failed',
      'approval.granted',
      'incident.resolve-requested',
    ]);
    expect(parsed).toEqual(messages);
  });

  it('rejects an unknown type naming type', () => {
    // Prepare
    const body = JSON.stringify({
      ...envelope,
      v: 1,
      id: fixed.newId(),
      sentAt: '2024-05-02T14:05:00Z',
      type: 'contain.everything',
      payload: {},
    });
    // Act / Assess
    expect(() => parseMessage(body)).toThrow(
      expect.objectContaining({
        name: 'MessageParseError',
        reason: 'unknown-type',
        issues: [expect.objectContaining({ path: 'type' })],
      }),
    );
  });

  it('rejects a bad payload naming the field, and text that is not JSON', () => {
    // Prepare
    const message = buildMessage('contain.access-key', {
      ...envelope,
      payload: {
        stepId: 's1',
        action: 'contain.access-key',
        playbookId: 'p',
        target,
        timeoutSeconds: 60,
        params: { userName: 'u', accessKeyId: 'AKIA1' },
      },
    });
    const bad = { ...message, payload: { ...message.payload, params: { userName: 'u' } } };
    // Act / Assess
    expect(() => parseMessage(bad)).toThrow(
      expect.objectContaining({
        reason: 'schema',
        issues: [expect.objectContaining({ path: 'payload.params.accessKeyId' })],
      }),
    );
    expect(() => parseMessage('not json')).toThrow(
      expect.objectContaining({ reason: 'not-json', retryable: false }),
    );
  });

  it('refuses to build an invalid message (block-ip needs a subnet or NACL; step.failed is never retryable)', () => {
    // Prepare
    const blockIp = () =>
      buildMessage('contain.block-ip', {
        ...envelope,
        payload: {
          stepId: 's',
          action: 'contain.block-ip',
          playbookId: 'p',
          target,
          timeoutSeconds: 60,
          params: { cidr: '203.0.113.7/32' },
        },
      });
    const stepFailed = {
      ...envelope,
      v: 1,
      id: fixed.newId(),
      sentAt: '2024-05-02T14:05:00Z',
      type: 'step.failed',
      payload: {
        stepId: 's',
        action: 'evidence.seal',
        reason: 'r',
        errorName: 'E',
        retryable: true,
        failedAt: '2024-05-02T14:05:00Z',
      },
    };
    // Act / Assess
    expect(blockIp).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'payload.params.subnetId' })] }),
    );
    expect(() => parseMessage(stepFailed)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'payload.retryable' })] }),
    );
  });
});

describe('jsonSchemas', () => {
  it('exports one schema per message type plus finding and native-finding', () => {
    // Prepare / Act
    const documents = jsonSchemas();
    // Assess
    expect(Object.keys(documents).sort()).toEqual(
      [...MessageType.options, 'finding', 'native-finding'].sort(),
    );
    expect(Object.keys(messageSchemas)).toHaveLength(MessageType.options.length);
    expect(documents['contain.ec2-instance']).toMatchObject({
      type: 'object',
      properties: { type: { const: 'contain.ec2-instance' } },
    });
  });
});

describe('resourceKey', () => {
  it('keys roles by role name, keys by key id, buckets and others by name', () => {
    // Prepare / Act
    const keys = [
      resourceKey({
        kind: 'iam-access-key',
        userType: 'AssumedRole',
        roleName: 'batch',
        accessKeyId: 'ASIA1',
      }),
      resourceKey({ kind: 'iam-access-key', userType: 'IAMUser', userName: 'ci', accessKeyId: 'AKIA1' }),
      resourceKey({ kind: 'iam-access-key', userType: 'IAMUser', userName: 'ci' }),
      resourceKey({ kind: 's3-bucket', bucketName: 'logs', tags: {} }),
      resourceKey({ kind: 'other', resourceType: 'EKSCluster', id: 'prod' }),
    ];
    // Assess
    expect(keys).toEqual([
      'iam-access-key:role/batch',
      'iam-access-key:AKIA1',
      'iam-access-key:user/ci',
      's3-bucket:logs',
      'other:EKSCluster:prod',
    ]);
  });
});
