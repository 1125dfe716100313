import { z } from 'zod';
import { stepCommand } from './step-command.js';

/**
 * The incident report as a command carries it. Only the version and the incident are checked here:
 * the full document's schema lives with its builder (`@ir/reporting`), and the forensics service
 * parses it with that schema before storing it (a report it cannot read fails the step).
 */
export const ReportDocument = z.looseObject({
  reportVersion: z.literal(1),
  incident: z.looseObject({ incidentId: z.string().min(1) }),
});
/** @see ReportDocument */
export type ReportDocument = z.infer<typeof ReportDocument>;

/**
 * Store the incident report (built by the coordinator on resolve) as evidence: verify the evidence,
 * add the verifier's result to the report, write `report.json` and `report.md` locked, and seal them
 * in a new manifest chained to the previous one.
 */
export const EvidenceStoreReport = stepCommand('evidence.store-report', z.object({ report: ReportDocument }));
/** @see EvidenceStoreReport */
export type EvidenceStoreReport = z.infer<typeof EvidenceStoreReport>;
