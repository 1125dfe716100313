import { z } from 'zod';
import { Details } from './details.js';

/** The version of the report document; bumped on any change a reader must know about. */
export const REPORT_VERSION = 1;

/**
 * The phases of NIST SP 800-61 (rev. 2) an incident goes through. Preparation is not listed: it is
 * what the deployment itself is, not something one incident does.
 */
export const NistPhaseId = z.enum([
  'detection-and-analysis',
  'containment',
  'eradication-and-recovery',
  'post-incident-activity',
]);
/** @see NistPhaseId */
export type NistPhaseId = z.infer<typeof NistPhaseId>;

/** One NIST phase: whether the incident reached it, when, and the facts that say so. */
export const ReportPhase = z.object({
  phase: NistPhaseId,
  name: z.string(),
  reached: z.boolean(),
  /** The first moment the phase was entered, when known. */
  at: z.string().nullable(),
  /** Facts behind the verdict, one sentence each. */
  basis: z.array(z.string()),
});
/** @see ReportPhase */
export type ReportPhase = z.infer<typeof ReportPhase>;

/** A finding attached to the incident. */
export const ReportFinding = z.object({
  source: z.string(),
  id: z.string(),
  type: z.string(),
  title: z.string(),
  band: z.string(),
  count: z.number().int(),
  receivedAt: z.string(),
  updatedAt: z.string(),
});
/** @see ReportFinding */
export type ReportFinding = z.infer<typeof ReportFinding>;

/**
 * A person named in the report: the label people read (`Name <email>`), and the verified identity
 * behind it, issuer and subject (null for decisions recorded before identities, or a policy), and
 * when they acted, when known.
 */
export const ReportPerson = z.object({
  by: z.string(),
  issuer: z.string().nullable(),
  subject: z.string().nullable(),
  at: z.string().nullable(),
});
/** @see ReportPerson */
export type ReportPerson = z.infer<typeof ReportPerson>;

/** One step of the incident with its outcome and who decided what about it. */
export const ReportStep = z.object({
  stepId: z.string(),
  action: z.string(),
  origin: z.string(),
  queue: z.string(),
  status: z.string(),
  /** One sentence a person reads: what happened to the step. */
  outcome: z.string(),
  containment: z.boolean(),
  sealsEvidence: z.boolean(),
  target: z.object({ accountId: z.string(), region: z.string() }),
  dispatchedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  approval: z.object({
    required: z.boolean(),
    holdReasons: z.array(z.string()),
    approvedBy: z.string().nullable(),
    rejectedBy: z.string().nullable(),
    reason: z.string().nullable(),
    requestedAt: z.string().nullable(),
    /** How many different people had to approve (2 under the two-person rule). */
    approvalsRequired: z.number().int(),
    /** Every approval recorded, in order, with its identity. */
    approvals: z.array(ReportPerson),
    /** Who asked for the step (a rollback's requester), or the first of two approvers. */
    requestedBy: ReportPerson.nullable(),
    /** The identity behind `approvedBy` (the approval that released the step). */
    approver: ReportPerson.nullable(),
    /** The identity behind `rejectedBy`. */
    rejecter: ReportPerson.nullable(),
  }),
  failure: z.object({ reason: z.string(), errorName: z.string() }).nullable(),
  skipReason: z.string().nullable(),
  /** For a containment: whether the state it replaced was recorded (what its rollback needs). */
  preStateRecorded: z.boolean(),
  preState: Details.nullable(),
  result: Details.nullable(),
  verified: Details.nullable(),
  /** For a rollback step: the containment it undoes. */
  rollbackOf: z.string().nullable(),
});
/** @see ReportStep */
export type ReportStep = z.infer<typeof ReportStep>;

/** A decision a person took on a held step. */
export const ReportApproval = z.object({
  stepId: z.string(),
  action: z.string(),
  decision: z.enum(['approved', 'rejected']),
  by: z.string(),
  reason: z.string().nullable(),
  holdReasons: z.array(z.string()),
  /** The identity of `by`, when the decision carried one. */
  decidedBy: ReportPerson,
  /** Who asked for the step, or the first of two approvers: never the same person as an approver. */
  requestedBy: ReportPerson.nullable(),
  /** Every approval that counted, in order. */
  approvals: z.array(ReportPerson),
});
/** @see ReportApproval */
export type ReportApproval = z.infer<typeof ReportApproval>;

/** The rollback state of one containment that succeeded at some point. */
export const ReportContainmentRollback = z.object({
  stepId: z.string(),
  action: z.string(),
  preStateRecorded: z.boolean(),
  /** `not-requested`, `impossible` (no rollback exists or no pre-state), or the rollback step's status. */
  rollbackStatus: z.string(),
  rollbackStepId: z.string().nullable(),
});
/** @see ReportContainmentRollback */
export type ReportContainmentRollback = z.infer<typeof ReportContainmentRollback>;

/** One manifest of the evidence chain as the verifier saw it. */
export const ReportManifest = z.object({
  key: z.string(),
  sequence: z.number().int(),
  status: z.string(),
  reason: z.string().nullable(),
});
/** @see ReportManifest */
export type ReportManifest = z.infer<typeof ReportManifest>;

/** One sealed artifact with its recorded SHA-256 and what re-hashing it found. */
export const ReportArtifact = z.object({
  key: z.string(),
  versionId: z.string(),
  sha256: z.string(),
  status: z.string(),
  manifest: z.string(),
  laterVersion: z.string().nullable(),
});
/** @see ReportArtifact */
export type ReportArtifact = z.infer<typeof ReportArtifact>;

/**
 * What the evidence verifier found, or why it did not run. `verified` and `problems` carry a result;
 * `not-configured` (no evidence bucket set where the report was built), `not-run` (left to the
 * service that stores the report) and `error` (S3 could not be read) do not.
 */
export const ReportVerification = z.object({
  status: z.enum(['verified', 'problems', 'not-configured', 'not-run', 'error']),
  ok: z.boolean().nullable(),
  bucket: z.string().nullable(),
  checkedAt: z.string().nullable(),
  detail: z.string(),
  problems: z.array(z.string()),
  manifests: z.array(ReportManifest),
  artifacts: z.array(ReportArtifact),
});
/** @see ReportVerification */
export type ReportVerification = z.infer<typeof ReportVerification>;

/** A timeline entry. */
export const ReportTimelineEntry = z.object({
  at: z.string(),
  kind: z.string(),
  stepId: z.string().nullable(),
  detail: Details.nullable(),
});
/** @see ReportTimelineEntry */
export type ReportTimelineEntry = z.infer<typeof ReportTimelineEntry>;

/**
 * The incident report (`reportVersion: 1`), the document stored as `report.json` and rendered as
 * `report.md`, served by `GET /incidents/:id/report`. Built by `@ir/reporting`; defined here because
 * the coordinator serves it, forensics stores it and irctl reads it. Times are ISO-8601 UTC; absent
 * facts are `null`, never left out, so readers in any language see the same keys.
 */
export const IncidentReport = z.object({
  reportVersion: z.literal(REPORT_VERSION),
  generatedAt: z.string(),
  generatedBy: z.string(),
  incident: z.object({
    incidentId: z.string(),
    correlationId: z.string(),
    status: z.string(),
    playbookId: z.string(),
    severityBand: z.string(),
    dryRun: z.boolean(),
    summary: z.string(),
    target: z.object({ accountId: z.string(), region: z.string() }),
    receivedAt: z.string(),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    /** The identity behind `resolvedBy`. */
    resolvedByPerson: ReportPerson.nullable(),
    /**
     * Whether it was real and what kind, with who decided (null before resolve; absent in reports
     * made before dispositions existed).
     */
    disposition: z
      .object({
        disposition: z.string(),
        category: z.string(),
        decidedBy: ReportPerson,
        source: z.string(),
      })
      .nullable()
      .optional(),
    notes: z.array(z.string()),
  }),
  summary: z.object({
    text: z.string(),
    steps: z.number().int(),
    stepsByStatus: z.record(z.string(), z.number().int()),
    containmentsSucceeded: z.number().int(),
    approvals: z.number().int(),
    rejections: z.number().int(),
  }),
  metrics: z.object({
    /** Detection receipt → first containment done (MTTI for this incident), seconds. */
    timeToIsolateSeconds: z.number().nullable(),
    /** Detection receipt → evidence sealed (MTTE for this incident), seconds. */
    timeToEvidenceSeconds: z.number().nullable(),
    /** Detection receipt → resolved (MTTR for this incident), seconds; absent in older reports. */
    timeToResolveSeconds: z.number().nullable().optional(),
    firstContainedAt: z.string().nullable(),
    evidenceSealedAt: z.string().nullable(),
  }),
  findings: z.array(ReportFinding),
  phases: z.array(ReportPhase),
  steps: z.array(ReportStep),
  approvals: z.array(ReportApproval),
  rollback: z.object({
    requested: z.boolean(),
    requestedAt: z.string().nullable(),
    requestedBy: z.string().nullable(),
    /** The identity behind `requestedBy`. */
    requester: ReportPerson.nullable(),
    /** Who approved the rollback (a person other than the requester), once someone did. */
    approver: ReportPerson.nullable(),
    containments: z.array(ReportContainmentRollback),
  }),
  verification: ReportVerification,
  timeline: z.array(ReportTimelineEntry),
  /** Set when timeline entries were left out to keep the report within a message's size. */
  timelineTruncated: z.object({ omitted: z.number().int(), reason: z.string() }).nullable(),
});
/** @see IncidentReport */
export type IncidentReport = z.infer<typeof IncidentReport>;
