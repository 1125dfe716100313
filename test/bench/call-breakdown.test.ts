import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../support/fault-proxy.js';
import { breakdownOf, callerOf, type StepTiming } from './call-breakdown.js';
import { isWorkFor } from './critical-path.js';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function call(
  seconds: number,
  caller: string,
  service: string,
  operation: string,
  body: string,
  answer = '',
): RecordedCall {
  return {
    at: T0 + seconds * 1000,
    service,
    operation,
    method: 'POST',
    path: '/',
    headers: { 'user-agent': `aws-sdk-js/3.1 ua/2.1 os/linux lang/js md/nodejs#20 app/${caller}` },
    body: Buffer.from(body),
    durationMs: 5,
    status: 200,
    returnedMessages: answer.includes('"Messages"'),
    answer,
  };
}

const received = (handle: string, body: string) =>
  JSON.stringify({ Messages: [{ MessageId: 'm', ReceiptHandle: handle, Body: body }] });

describe('the bench splits one incident’s AWS calls', () => {
  it('names the calling service from the SDK’s app id in the User-Agent', () => {
    // Act
    const named = callerOf(call(0, 'isolator', 'ec2', 'DescribeInstances', ''));
    const unnamed = callerOf({ ...call(0, 'x', 'ec2', 'DescribeInstances', ''), headers: {} });

    // Assess
    expect([named, unnamed]).toEqual(['isolator', 'unknown']);
  });

  it('keeps the deletes of the incident’s messages (by receipt handle) and calls on what it created, and drops the rest', () => {
    // Arrange
    const calls = [
      call(
        0,
        'response-coordinator',
        'sqs',
        'ReceiveMessage',
        '{}',
        received('h-ours', '{"incidentId":"inc-1"}'),
      ),
      call(
        1,
        'response-coordinator',
        'sqs',
        'ReceiveMessage',
        '{}',
        received('h-other', '{"incidentId":"inc-2"}'),
      ),
      call(2, 'response-coordinator', 'sqs', 'ReceiveMessage', '{}', '{}'),
      call(3, 'response-coordinator', 'sqs', 'DeleteMessage', '{"ReceiptHandle":"h-ours"}'),
      call(4, 'response-coordinator', 'sqs', 'DeleteMessage', '{"ReceiptHandle":"h-other"}'),
      call(5, 'response-coordinator', 'sqs', 'GetQueueAttributes', '{"inc-1":1}'),
      call(6, 'response-coordinator', 'dynamodb', 'Query', '{"pk":"INCIDENT#inc-1"}'),
      call(
        7,
        'isolator',
        'ec2',
        'CreateSecurityGroup',
        'VpcId=vpc-1&inc-1',
        '<groupId>sg-0123456789abcdef0</groupId>',
      ),
      call(8, 'isolator', 'ec2', 'RevokeSecurityGroupEgress', 'GroupId=sg-0123456789abcdef0'),
      call(9, 'isolator', 'ec2', 'RevokeSecurityGroupEgress', 'GroupId=sg-0fedcba9876543210'),
    ];

    // Act
    const kept = isWorkFor(['inc-1', ''])(calls);

    // Assess
    expect(kept.map((kept) => `${kept.operation}@${(kept.at - T0) / 1000}`)).toEqual([
      'ReceiveMessage@0',
      'DeleteMessage@3',
      'Query@6',
      'CreateSecurityGroup@7',
      'RevokeSecurityGroupEgress@8',
    ]);
  });

  it('counts by phase, caller and operation, and the coordination before the first ENI move', () => {
    // Arrange
    const steps: StepTiming[] = [
      {
        action: 'evidence.capture-instance',
        queue: 'forensics',
        sealsEvidence: false,
        dispatchedAt: at(1),
        completedAt: at(3),
      },
      {
        action: 'contain.ec2-instance',
        queue: 'isolator',
        sealsEvidence: false,
        dispatchedAt: at(4),
        completedAt: at(7),
      },
      {
        action: 'evidence.seal',
        queue: 'forensics',
        sealsEvidence: true,
        dispatchedAt: at(8),
        completedAt: at(9),
      },
      {
        action: 'notify.incident',
        queue: 'notifier',
        sealsEvidence: false,
        dispatchedAt: at(8),
        completedAt: at(10),
      },
    ];
    const calls = [
      call(0, 'detection', 'dynamodb', 'TransactWriteItems', 'inc'),
      call(0.5, 'response-coordinator', 'dynamodb', 'Query', 'inc'),
      call(2, 'forensics', 'ec2', 'DescribeInstances', 'i-1'),
      call(3.5, 'response-coordinator', 'dynamodb', 'TransactWriteItems', 'inc'),
      call(5, 'isolator', 'ec2', 'ModifyNetworkInterfaceAttribute', 'eni-1'),
      call(6, 'isolator', 'sqs', 'SendMessageBatch', 'inc'),
      call(8.5, 'forensics', 's3', 'PUT object', 'inc'),
      call(9.5, 'notifier', 'sns', 'Publish', 'inc'),
      call(9.8, 'response-coordinator', 'dynamodb', 'TransactWriteItems', 'inc'),
    ];

    // Act
    const breakdown = breakdownOf(calls, steps);

    // Assess
    expect(breakdown.byPhase).toEqual({ intake: 2, evidence: 2, containment: 2, seal: 2, notify: 1 });
    expect(breakdown.byCaller).toEqual({
      'response-coordinator': 3,
      forensics: 2,
      isolator: 2,
      detection: 1,
      notifier: 1,
    });
    expect(breakdown.byOperation['response-coordinator dynamodb:TransactWriteItems']).toBe(2);
    expect(breakdown.coordinationBeforeIsolation).toBe(3);
    expect(breakdown.ec2ByIsolator).toBe(1);
    expect(breakdown.total).toBe(calls.length);
  });
});
