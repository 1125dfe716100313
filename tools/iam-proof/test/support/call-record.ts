import type { CallRecord } from '../../src/call-mapping.js';

/** A successful call of a task role in the stand-in security account (111111111111, us-east-1). */
export const callRecord = (
  service: string,
  client: string,
  operation: string,
  input: Record<string, unknown>,
  extra: Partial<CallRecord> = {},
): CallRecord => ({
  service,
  client,
  operation,
  account: '111111111111',
  region: 'us-east-1',
  principal: 'task',
  input,
  outcome: 'success',
  ...extra,
});
