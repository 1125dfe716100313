import { describe, expect, it } from 'vitest';
import { containmentProblems, isRunning } from '../../src/actions/lambda/function-state.js';

/*
 * Emulator gap: moto 5.2.5 moves an event-source mapping straight to `Enabled` or `Disabled`; AWS
 * answers UpdateEventSourceMapping with a transitional state and gets there later. The mapping below
 * is the output of the AWS CLI reference example for `aws lambda update-event-source-mapping`
 * (recorded as published: State `Updating`); the other states are the documented values of
 * EventSourceMappingConfiguration.State (Creating, Enabling, Enabled, Disabling, Disabled, Updating,
 * Deleting).
 */
const RECORDED_UPDATE = {
  UUID: 'a1b2c3d4-5678-90ab-cdef-11111EXAMPLE',
  StateTransitionReason: 'USER_INITIATED',
  LastModified: 1569284520.333,
  BatchSize: 8,
  State: 'Updating',
  FunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:my-function',
  EventSourceArn: 'arn:aws:sqs:us-west-2:123456789012:mySQSqueue',
};

describe('Lambda mapping states (on recorded AWS responses)', () => {
  it('counts a mapping in transition as one that may still run, so containment disables it and the rollback does not re-enable twice', () => {
    // Act, Assess
    expect(isRunning(RECORDED_UPDATE.State)).toBe(true);
    expect(['Creating', 'Enabling', 'Enabled'].every(isRunning)).toBe(true);
    expect(['Disabling', 'Disabled', 'Deleting'].some(isRunning)).toBe(false);
  });

  it('does not report a function contained while a mapping is still Disabling or Updating', () => {
    // Prepare
    const observed = {
      reservedConcurrency: 0,
      mappings: [
        { uuid: RECORDED_UPDATE.UUID, state: RECORDED_UPDATE.State },
        { uuid: 'b2', state: 'Disabling' },
        { uuid: 'c3', state: 'Disabled' },
      ],
    };
    // Act
    const problems = containmentProblems(observed);
    // Assess
    expect(problems).toEqual([
      `event-source mapping ${RECORDED_UPDATE.UUID} is Updating, not Disabled`,
      'event-source mapping b2 is Disabling, not Disabled',
    ]);
    expect(containmentProblems({ reservedConcurrency: null, mappings: [] })).toEqual([
      'reserved concurrency is unset, not 0',
    ]);
  });
});
