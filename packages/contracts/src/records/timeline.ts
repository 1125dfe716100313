import { z } from 'zod';
import { IsoDateTime } from '../primitives.js';
import { Details } from './details.js';

/**
 * One entry of an incident's timeline, append-only: stored as item `TIMELINE#<at>#<entryId>`,
 * served by `GET /incidents/:id` (oldest first) and copied into the report.
 */
export const TimelineEntry = z.object({
  at: IsoDateTime,
  entryId: z.string().min(1),
  kind: z.string().min(1),
  stepId: z.string().optional(),
  detail: Details.optional(),
});
/** @see TimelineEntry */
export type TimelineEntry = z.infer<typeof TimelineEntry>;
