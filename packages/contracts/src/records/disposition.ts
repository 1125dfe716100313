import { z } from 'zod';

/**
 * Whether an incident was real, decided by the person who resolves it:
 * - `true-positive`: malicious or unauthorised activity, as the finding said;
 * - `benign-true-positive`: the activity happened, but it was expected (a pen test, an admin's script);
 * - `false-positive`: the detector was wrong;
 * - `duplicate`: another incident already covers it.
 *
 * Why required on resolve: without it nothing can measure the false-positive rate or learn a
 * suppression rule, and the source finding cannot be marked resolved or suppressed.
 */
export const Disposition = z.enum(['true-positive', 'benign-true-positive', 'false-positive', 'duplicate']);
/** @see Disposition */
export type Disposition = z.infer<typeof Disposition>;

/**
 * What kind of incident it was, for MTTR by category. A closed list on purpose: it is a metric label,
 * and a free-text label would make one time series per spelling.
 */
export const IncidentCategory = z.enum([
  'credential-compromise',
  'unauthorized-access',
  'malware',
  'cryptomining',
  'data-exfiltration',
  'reconnaissance',
  'denial-of-service',
  'misconfiguration',
  'policy-violation',
  'other',
]);
/** @see IncidentCategory */
export type IncidentCategory = z.infer<typeof IncidentCategory>;

/** How the disposition reached the coordinator: an operator (API, Slack, console, irctl) or Jira. */
export const DispositionSource = z.enum(['operator', 'jira']);
/** @see DispositionSource */
export type DispositionSource = z.infer<typeof DispositionSource>;
