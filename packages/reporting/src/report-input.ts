import type { IncidentRecord, StepRecord, TimelineEntry } from '@ir/contracts';

/**
 * What the builder reads: the fields of the contracts' incident, step and timeline records that a
 * report uses. Why picked rather than whole records: forensics and tests build reports from what
 * they know, and a report must not need fields it never reads (versions, deadlines, params).
 */

/** The incident record fields the report uses. */
export type ReportIncidentInput = Readonly<
  Pick<
    IncidentRecord,
    | 'incidentId'
    | 'correlationId'
    | 'status'
    | 'playbookId'
    | 'severityBand'
    | 'dryRun'
    | 'receivedAt'
    | 'openedAt'
    | 'summary'
    | 'target'
    | 'findings'
    | 'notes'
    | 'firstContainedAt'
    | 'evidenceSealedAt'
    | 'rollbackRequestedAt'
    | 'rollbackRequestedBy'
    | 'resolvedAt'
    | 'resolvedBy'
  > &
    Partial<Pick<IncidentRecord, 'rollbackRequestedByActor' | 'resolvedByActor' | 'disposition'>>
>;

/**
 * The step record fields the report uses. `action` is read as text: the report names a step's
 * action and needs nothing else of the closed set, so callers that build steps by hand pass strings.
 */
export type ReportStepInput = Readonly<
  Pick<
    StepRecord,
    | 'stepId'
    | 'queue'
    | 'target'
    | 'approval'
    | 'containment'
    | 'sealsEvidence'
    | 'origin'
    | 'order'
    | 'status'
    | 'holdReasons'
    | 'approvedBy'
    | 'rejectedBy'
    | 'decisionReason'
    | 'approvalRequestedAt'
    | 'dispatchedAt'
    | 'completedAt'
    | 'result'
    | 'preState'
    | 'verified'
    | 'failure'
    | 'skipReason'
    | 'rollbackOf'
  > &
    // Optional: steps recorded before the two-person rule, and hand-built steps, have none.
    Partial<
      Pick<
        StepRecord,
        'approvalsRequired' | 'approvals' | 'requestedBy' | 'approvedByActor' | 'rejectedByActor'
      >
    >
> & { readonly action: StepRecord['action'] | (string & {}) };

/** The timeline entry fields the report uses (the entry id only orders storage). */
export type ReportTimelineInput = Readonly<Pick<TimelineEntry, 'at' | 'kind' | 'stepId' | 'detail'>>;

/** Everything the builder needs about one incident. */
export interface ReportInput {
  readonly incident: ReportIncidentInput;
  readonly steps: readonly ReportStepInput[];
  readonly timeline: readonly ReportTimelineInput[];
}
