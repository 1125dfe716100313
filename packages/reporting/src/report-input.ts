/**
 * What the builder reads: the shape of the coordinator's incident aggregate, declared here
 * structurally. Why not import the coordinator's model: services never import each other, and the
 * forensics service uses this package too; the coordinator's records satisfy these types as they are.
 */

/** The incident record fields the report uses. */
export interface ReportIncidentInput {
  readonly incidentId: string;
  readonly correlationId: string;
  readonly status: string;
  readonly playbookId: string;
  readonly severityBand: string;
  readonly dryRun: boolean;
  readonly receivedAt: string;
  readonly openedAt: string;
  readonly summary: string;
  readonly target: { readonly accountId: string; readonly region: string };
  readonly findings: readonly {
    readonly source: string;
    readonly id: string;
    readonly type: string;
    readonly title: string;
    readonly band: string;
    readonly updatedAt: string;
    readonly count: number;
    readonly receivedAt: string;
  }[];
  readonly notes: readonly string[];
  readonly firstContainedAt?: string | undefined;
  readonly evidenceSealedAt?: string | undefined;
  readonly rollbackRequestedAt?: string | undefined;
  readonly rollbackRequestedBy?: string | undefined;
  readonly resolvedAt?: string | undefined;
  readonly resolvedBy?: string | undefined;
}

/** The step record fields the report uses. */
export interface ReportStepInput {
  readonly stepId: string;
  readonly action: string;
  readonly queue: string;
  readonly target: { readonly accountId: string; readonly region: string };
  readonly approval: string;
  readonly containment: boolean;
  readonly sealsEvidence: boolean;
  readonly origin: string;
  readonly order: number;
  readonly status: string;
  readonly holdReasons: readonly string[];
  readonly approvedBy?: string | undefined;
  readonly rejectedBy?: string | undefined;
  readonly decisionReason?: string | undefined;
  readonly approvalRequestedAt?: string | undefined;
  readonly dispatchedAt?: string | undefined;
  readonly completedAt?: string | undefined;
  readonly result?: Record<string, unknown> | undefined;
  readonly preState?: Record<string, unknown> | undefined;
  readonly verified?: Record<string, unknown> | undefined;
  readonly failure?: { readonly reason: string; readonly errorName: string } | undefined;
  readonly skipReason?: string | undefined;
  readonly rollbackOf?: string | undefined;
}

/** A timeline entry as stored. */
export interface ReportTimelineInput {
  readonly at: string;
  readonly kind: string;
  readonly stepId?: string | undefined;
  readonly detail?: Record<string, unknown> | undefined;
}

/** Everything the builder needs about one incident. */
export interface ReportInput {
  readonly incident: ReportIncidentInput;
  readonly steps: readonly ReportStepInput[];
  readonly timeline: readonly ReportTimelineInput[];
}
