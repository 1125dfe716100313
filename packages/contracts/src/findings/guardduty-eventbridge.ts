import { z } from 'zod';
import type { Finding } from '../finding.js';
import { findingFromGuardDutyDetail } from './guardduty-detail.js';
import { parseOrThrow } from './shared.js';

/** EventBridge's `detail-type` for GuardDuty findings. */
export const guardDutyDetailType = 'GuardDuty Finding';

/**
 * The EventBridge envelope around a GuardDuty finding. `source` must be `aws.guardduty`: only AWS
 * can publish that source, so a hand-made event on the bus cannot pose as GuardDuty (TRAPS 18).
 */
export const GuardDutyEventBridgeEvent = z.object({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': z.literal(guardDutyDetailType),
  source: z.literal('aws.guardduty'),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  detail: z.record(z.string(), z.unknown()),
});
/** @see GuardDutyEventBridgeEvent */
export type GuardDutyEventBridgeEvent = z.infer<typeof GuardDutyEventBridgeEvent>;

/**
 * Parses a GuardDuty finding delivered by EventBridge (`detail-type: GuardDuty Finding`) into one
 * `Finding`. Errors name fields as `detail.resource.instanceDetails...`.
 */
export function parseGuardDutyEventBridge(event: unknown): Finding[] {
  const envelope = parseOrThrow(GuardDutyEventBridgeEvent, event, { prefix: [] });
  return [findingFromGuardDutyDetail(envelope.detail, event, { prefix: ['detail'] })];
}
