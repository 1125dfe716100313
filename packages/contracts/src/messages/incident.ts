import { z } from 'zod';
import { Finding } from '../finding.js';
import { IsoDateTime } from '../primitives.js';
import { SeverityBand } from '../severity.js';

/**
 * Detection opened an incident. `receivedAt` is when detection received the finding: the start of
 * MTTI and MTTE. `flags.suppressionUnevaluated` says suppression rules could not be evaluated, so
 * the coordinator escalates instead of containing silently (TRAPS 17).
 */
export const IncidentOpenedPayload = z.object({
  finding: Finding,
  severityBand: SeverityBand,
  receivedAt: IsoDateTime,
  flags: z.object({ suppressionUnevaluated: z.boolean().optional() }),
});
/** @see IncidentOpenedPayload */
export type IncidentOpenedPayload = z.infer<typeof IncidentOpenedPayload>;

/** A finding for an open incident arrived again (`re-emitted`) or was attached to it (`attached`). */
export const IncidentUpdatedPayload = z.object({
  finding: Finding,
  receivedAt: IsoDateTime,
  reason: z.enum(['re-emitted', 'attached']),
});
/** @see IncidentUpdatedPayload */
export type IncidentUpdatedPayload = z.infer<typeof IncidentUpdatedPayload>;
