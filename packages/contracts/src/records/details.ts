import { z } from 'zod';

/** A free-form JSON object (a step's params, result or pre-state; a timeline entry's detail). */
export const Details = z.record(z.string(), z.unknown());
/** @see Details */
export type Details = z.infer<typeof Details>;
