import { z } from 'zod';
import { FindingSource } from '../finding.js';
import { FindingWorkflowTarget } from '../finding-workflow.js';
import { OperatorIdentity } from '../messages/operator.js';
import { Disposition, DispositionSource, IncidentCategory } from './disposition.js';
import { AccountId, AwsRegion, IsoDateTime } from '../primitives.js';
import { SeverityBand } from '../severity.js';

/**
 * The lifecycle of an incident. `needs-attention` means a person must look (a step failed or timed
 * out); `completed` means every planned step finished well and the incident waits to be resolved.
 */
export const IncidentStatus = z.enum([
  'open',
  'needs-attention',
  'completed',
  'rolling-back',
  'rolled-back',
  'resolved',
]);
/** @see IncidentStatus */
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** A finding recorded on an incident (the coordinator keeps the whole finding in its `FINDING#` item). */
export const FindingRef = z.object({
  source: FindingSource,
  id: z.string(),
  type: z.string(),
  title: z.string(),
  band: SeverityBand,
  updatedAt: IsoDateTime,
  count: z.number().int().min(1),
  receivedAt: IsoDateTime,
  /**
   * Where the finding's own workflow status lives, so that resolving the incident can mark it at its
   * source long after the whole finding was last loaded (absent for findings recorded before).
   */
  workflow: FindingWorkflowTarget.optional(),
});
/** @see FindingRef */
export type FindingRef = z.infer<typeof FindingRef>;

/** The disposition as recorded on the resolved incident, with who decided and when. */
export const IncidentDisposition = z.object({
  disposition: Disposition,
  category: IncidentCategory,
  /** Display label of who decided (derived from `decidedByActor`, never typed). */
  decidedBy: z.string().min(1),
  /** The verified identity behind `decidedBy`. */
  decidedByActor: OperatorIdentity.optional(),
  decidedAt: IsoDateTime,
  source: DispositionSource,
});
/** @see IncidentDisposition */
export type IncidentDisposition = z.infer<typeof IncidentDisposition>;

/**
 * The incident itself, without its version: the JSON document of the coordinator's
 * `INCIDENT#<id>` / `META` item, served by the operator API and read by the report.
 */
export const IncidentRecord = z.object({
  incidentId: z.string().min(1),
  correlationId: z.string().min(1),
  status: IncidentStatus,
  playbookId: z.string().min(1),
  severityBand: SeverityBand,
  dryRun: z.boolean(),
  /** When detection received the first finding: the start of MTTI and MTTE. */
  receivedAt: IsoDateTime,
  openedAt: IsoDateTime,
  updatedAt: IsoDateTime,
  summary: z.string(),
  target: z.object({ accountId: AccountId, region: AwsRegion }),
  suppressionUnevaluated: z.boolean(),
  findings: z.array(FindingRef),
  /** `RESOURCE#` keys detection holds for this incident, released on resolve. */
  resources: z.array(z.object({ accountId: AccountId, key: z.string() })),
  /** Resources of the findings that carry the protected tag. */
  protectedResources: z.array(z.string()),
  /** Facts people must know (e.g. every workload on a role is affected by revoking its sessions). */
  notes: z.array(z.string()),
  firstContainedAt: IsoDateTime.optional(),
  evidenceSealedAt: IsoDateTime.optional(),
  rollbackRequestedAt: IsoDateTime.optional(),
  rollbackRequestedBy: z.string().optional(),
  /** The verified identity behind `rollbackRequestedBy` (absent for requests older than identities). */
  rollbackRequestedByActor: OperatorIdentity.optional(),
  resolvedAt: IsoDateTime.optional(),
  resolvedBy: z.string().optional(),
  /** The verified identity behind `resolvedBy`. */
  resolvedByActor: OperatorIdentity.optional(),
  /** Whether it was real and what kind, decided on resolve (absent for incidents resolved before). */
  disposition: IncidentDisposition.optional(),
});
/** @see IncidentRecord */
export type IncidentRecord = z.infer<typeof IncidentRecord>;
