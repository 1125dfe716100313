/**
 * @ir/contracts: everything that crosses a process boundary. Finding formats and their parsers,
 * the normalised `Finding`, the message envelope and every message, and their errors.
 */
export { buildMessage } from './build-message.js';
export type { BuildMessageOptions, MessageFields } from './build-message.js';
export { EnvelopeFields, envelopeOf, MessageEnvelope } from './envelope.js';
export type { EnvelopeSchema } from './envelope.js';
export {
  ContractError,
  FindingParseError,
  formatPath,
  isContractError,
  isFindingParseError,
  isMessageParseError,
  issuesFromZod,
  MessageParseError,
} from './errors.js';
export type {
  ContractErrorLike,
  ContractErrorOptions,
  ContractIssue,
  FindingParseReason,
  MessageParseReason,
} from './errors.js';
export {
  AttackSequence,
  indicatorValueLimit,
  SequenceActor,
  SequenceEndpoint,
  SequenceIndicator,
  SequenceResourceRef,
  SequenceSignal,
} from './attack-sequence.js';
export {
  FindingActor,
  FindingMalware,
  FindingRuntime,
  KubernetesUser,
  lineageLimit,
  MalwareThreat,
  malwareThreatLimit,
  ProcessAncestor,
  RuntimeProcess,
} from './finding-context.js';
export {
  ConnectionDirection,
  Finding,
  FindingApiCall,
  FindingNetwork,
  FindingSeverity,
  FindingSource,
  RemoteIp,
} from './finding.js';
export {
  GuardDutyEventBridgeEvent,
  guardDutyDetailType,
  parseGuardDutyEventBridge,
} from './findings/guardduty-eventbridge.js';
export { parseGuardDutyApi } from './findings/guardduty-api.js';
export { NativeFinding, nativeFindingFormat, parseNativeFinding } from './findings/native.js';
export type { NativeFindingInput, NativeParseOptions } from './findings/native.js';
export {
  isOcsfFinding,
  OcsfFinding,
  ocsfFindingClasses,
  parseOcsfFinding,
  parseSecurityHubV2Api,
  parseSecurityHubV2Event,
  SecurityHubV2Event,
  securityHubV2DetailType,
  severityFromOcsf,
} from './findings/ocsf.js';
export { detectFindingFormat, FindingFormat, parseFindings } from './findings/parse-finding.js';
export type { ParseFindingsOptions } from './findings/parse-finding.js';
export {
  AsffFinding,
  parseSecurityHubEvent,
  SecurityHubImportedEvent,
  securityHubDetailType,
} from './findings/security-hub.js';
export { incidentTableKeys } from './incident-table.js';
export { jsonSchemas } from './json-schemas.js';
export type { JsonSchemaDocument } from './json-schemas.js';
export { messageSchemas, payloadSchemas } from './message-schemas.js';
export type { Message, MessageOf, MessageSchemas, PayloadOf } from './message-schemas.js';
export {
  containActions,
  coordinatorMessageTypes,
  evidenceActions,
  irreversibleContainActions,
  MessageType,
  notifyActions,
  rollbackActions,
  StepAction,
} from './message-types.js';
export type {
  ContainAction,
  EvidenceAction,
  IrreversibleContainAction,
  NotifyAction,
} from './message-types.js';
export {
  ContainAccessKey,
  ContainBlockIp,
  ContainCloudTrailLogging,
  ContainEc2Instance,
  ContainIamUser,
  ContainRemoveLoginProfile,
  ContainRoleSessions,
  ContainS3Bucket,
  ContainSecurityGroupIngress,
  markingActions,
  TrailActor,
} from './messages/contain.js';
export type { MarkingAction } from './messages/contain.js';
export { ContainTagIncident, TaggableResource } from './messages/tag-incident.js';
export { EvidenceCleanRoom, EvidenceCleanRoomTeardown } from './messages/clean-room.js';
export { RdsTarget } from './messages/rds-target.js';
export { EvidenceStoreReport, ReportDocument } from './messages/report.js';
export {
  EvidenceCaptureInstance,
  EvidenceCollectIam,
  EvidenceCollectS3,
  EvidenceCollectVolatile,
  EvidenceSeal,
  EvidenceSnapshotFollowupPayload,
  EvidenceSnapshotVolumes,
} from './messages/evidence.js';
export { IncidentOpenedPayload, IncidentUpdatedPayload } from './messages/incident.js';
export {
  FindingSyncItem,
  FindingSyncPhase,
  FindingWorkflowStatus,
  NotifyFindingWorkflow,
  NotifyIncident,
  NotifyStage,
  PendingApproval,
} from './messages/notify.js';
export {
  FindingWorkflowRef,
  FindingWorkflowTarget,
  guardDutyFindingIdOf,
  guardDutyProductArn,
  partitionOf,
  SecurityHubFindingRef,
} from './finding-workflow.js';
export {
  ApprovalGrantedPayload,
  ApprovalRejectedPayload,
  IncidentResolveRequestedPayload,
  OperatorDecision,
  OperatorIdentity,
  RollbackRequestedPayload,
} from './messages/operator.js';
export { IncidentTicketClosedPayload, TicketClosedMissing } from './messages/ticket.js';
export {
  ProtectedResourceFound,
  StepFailedPayload,
  StepHeldPayload,
  StepSucceededPayload,
} from './messages/results.js';
export { RollbackParams, rollbackCommands } from './messages/rollback.js';
export type { RollbackAction, RollbackCommand, RollbackCommandSchema } from './messages/rollback.js';
export { CommandApproval, StepTarget, stepCommand } from './messages/step-command.js';
export {
  type ProtectedTag,
  ProtectedTagSetting,
  parseProtectedTag,
  protectedTagIn,
} from './protected-tag.js';
export { parseMessage } from './parse-message.js';
export { AccountId, AwsRegion, IpAddress, IsoDateTime, Port, toUtcIso } from './primitives.js';
export {
  Ec2InstanceResource,
  IamAccessKeyResource,
  OtherResource,
  Resource,
  ResourceKindName,
  resourceKey,
  S3BucketResource,
  unqualifiedFunctionArn,
} from './resource.js';
export {
  ContainerInfo,
  HostInstance,
  NetworkInterface,
  SecurityGroupRef,
  Tags,
} from './resource-parts.js';
export {
  ContainerResource,
  EcsClusterResource,
  EcsTaskResource,
  EksClusterResource,
  EksWorkloadResource,
  LambdaFunctionResource,
  LambdaVpcConfig,
} from './resource-workloads.js';
export { RdsDatabaseResource, RdsDbUser, S3ObjectResource } from './resource-data-stores.js';
export { describeResource } from './resource-label.js';
export type { ResourceKind } from './resource.js';
export {
  bandAtLeast,
  bandFromScore,
  bandFromSecurityHubLabel,
  bandThresholds,
  compareBands,
  representativeScore,
  representativeScores,
  SecurityHubSeverityLabel,
  SeverityBand,
} from './severity.js';
export {
  ApiRefusal,
  DecisionAccepted,
  DecisionMessageType,
  DecisionRequest,
  ResolveRequest,
  DurationPercentiles,
  IncidentDetail,
  IncidentList,
  IncidentParams,
  IncidentSummary,
  InvalidRequest,
  ListIncidentsQuery,
  operatorApi,
  OperatorRole,
  ReportQuery,
  ResponseTimeStats,
  ResponseTimesQuery,
  roleAllows,
  StepParams,
} from './api/operator-api.js';
export {
  DeadLetterList,
  DeadLetterListQuery,
  DeadLetterMessage,
  DeadLetterOverview,
  DeadLetterParams,
  DeadLetterQueueSummary,
  RedriveProblem,
  RedriveRequest,
  RedriveResult,
  SystemQueueName,
} from './api/dead-letters.js';
export {
  FindingRef,
  IncidentDisposition,
  IncidentRecord,
  IncidentStatus,
} from './records/incident-record.js';
export {
  CreateSuppressionRequest,
  ProposalCriterion,
  SuppressionList,
  SuppressionMatchCount,
  SuppressionMatchExample,
  SuppressionProposal,
  SuppressionProposalRequest,
} from './api/suppressions.js';
export {
  ExpiringSuppressionRule,
  StoredSuppressionRule,
  SUPPRESSION_DEFAULT_DAYS,
  SUPPRESSION_MAX_DAYS,
  SuppressionCriteria,
  SuppressionExpiry,
  SuppressionMatch,
  SuppressionRule,
  SuppressionRuleName,
} from './records/suppression-rule.js';
export { Disposition, DispositionSource, IncidentCategory } from './records/disposition.js';
export {
  IncidentReport,
  NistPhaseId,
  REPORT_VERSION,
  ReportApproval,
  ReportArtifact,
  ReportContainmentRollback,
  ReportFinding,
  ReportManifest,
  ReportPerson,
  ReportPhase,
  ReportStep,
  ReportTimelineEntry,
  ReportVerification,
} from './records/incident-report.js';
export { HoldReason, StepOrigin, StepRecord, StepStatus, WorkerQueue } from './records/step-record.js';
export { TimelineEntry } from './records/timeline.js';
export { DecisionBy, sameOperator, StepApproval, TWO_PERSON_ACTIONS } from './records/approval.js';
