import { z } from 'zod';
import { IsoDateTime } from './primitives.js';

/**
 * Fields every message carries around its payload. `correlationId` ties a whole incident's
 * messages together; `causationId` is the id of the message that caused this one (null for the
 * first). `dryRun` travels with every message so that every worker honours it (TRAPS 19).
 */
export const EnvelopeFields = z.object({
  v: z.literal(1),
  id: z.uuid(),
  incidentId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  sentAt: IsoDateTime,
  producer: z.string().min(1),
  dryRun: z.boolean(),
});
/** @see EnvelopeFields */
export type EnvelopeFields = z.infer<typeof EnvelopeFields>;

/** The zod schema of an envelope with a literal `type` and its payload. */
export type EnvelopeSchema<T extends string, P extends z.ZodType> = ReturnType<typeof envelopeOf<T, P>>;

/** Builds the envelope schema for one message type: `{ v, id, type, ..., payload }`. */
export function envelopeOf<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return EnvelopeFields.extend({ type: z.literal(type), payload });
}

/** Any envelope, payload unchecked: what a worker can read before it knows the type. */
export const MessageEnvelope = EnvelopeFields.extend({ type: z.string().min(1), payload: z.unknown() });
/** @see MessageEnvelope */
export type MessageEnvelope = z.infer<typeof MessageEnvelope>;
