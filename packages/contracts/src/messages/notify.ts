import { z } from 'zod';
import { SeverityBand } from '../severity.js';
import { stepCommand } from './step-command.js';

/** The moments of an incident people are told about. */
export const NotifyStage = z.enum([
  'opened',
  'contained',
  'evidence-sealed',
  'approval-needed',
  'step-failed',
  'rolled-back',
  'resolved',
]);
/** @see NotifyStage */
export type NotifyStage = z.infer<typeof NotifyStage>;

/** Tell people about an incident on every configured channel. */
export const NotifyIncident = stepCommand(
  'notify.incident',
  z.object({
    stage: NotifyStage,
    severityBand: SeverityBand,
    summary: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
);
/** @see NotifyIncident */
export type NotifyIncident = z.infer<typeof NotifyIncident>;
