import { z } from 'zod';
import { AttackSequence } from './attack-sequence.js';
import { FindingActor, FindingMalware, FindingRuntime } from './finding-context.js';
import { FindingWorkflowRef } from './finding-workflow.js';
import { AccountId, AwsRegion, IpAddress, IsoDateTime, Port } from './primitives.js';
import { Resource } from './resource.js';
import { SeverityBand } from './severity.js';

/**
 * Where a finding came from. `securityhub` covers both of Security Hub's formats (ASFF events and
 * OCSF `Findings Imported V2` / `GetFindingsV2`); `ocsf` is an OCSF finding from any other producer,
 * sent to the findings queue as a bare OCSF object (docs/finding-format.md).
 */
export const FindingSource = z.enum(['guardduty', 'securityhub', 'native', 'ocsf']);
/** @see FindingSource */
export type FindingSource = z.infer<typeof FindingSource>;

/** Severity as a 0–10 score, its band, and the source's own label when it has one. */
export const FindingSeverity = z.object({
  score: z.number().min(0).max(10),
  band: SeverityBand,
  label: z.string().optional(),
});
/** @see FindingSeverity */
export type FindingSeverity = z.infer<typeof FindingSeverity>;

/** A remote party in the finding's network activity. */
export const RemoteIp = z.object({
  ip: IpAddress,
  port: Port.optional(),
  country: z.string().optional(),
  org: z.string().optional(),
});
/** @see RemoteIp */
export type RemoteIp = z.infer<typeof RemoteIp>;

/** Direction of the connection, seen from the affected resource. */
export const ConnectionDirection = z.enum(['inbound', 'outbound', 'unknown']);
/** @see ConnectionDirection */
export type ConnectionDirection = z.infer<typeof ConnectionDirection>;

/** The network side of a finding: who talked to the resource, on which ports, which domain. */
export const FindingNetwork = z.object({
  remoteIps: z.array(RemoteIp).default([]),
  localPorts: z.array(Port).optional(),
  domain: z.string().optional(),
  direction: ConnectionDirection.optional(),
  protocol: z.string().optional(),
});
/** @see FindingNetwork */
export type FindingNetwork = z.infer<typeof FindingNetwork>;

/**
 * The API call a finding is about (GuardDuty's `awsApiCallAction`). Why kept: a remediation such as
 * restarting CloudTrail needs the trail the call changed, and the incident should say which call.
 */
export const FindingApiCall = z.object({
  api: z.string().optional(),
  serviceName: z.string().optional(),
  callerType: z.string().optional(),
  /** Resources the call affected, keyed by CloudFormation type (`AWS::CloudTrail::Trail` → ARN). */
  affectedResources: z.record(z.string(), z.string()).optional(),
});
/** @see FindingApiCall */
export type FindingApiCall = z.infer<typeof FindingApiCall>;

/**
 * The normalised finding every format parses into. Why one shape: detection, playbooks and the
 * coordinator reason about resources and severity, never about GuardDuty or ASFF field names.
 * `raw` keeps the original for the incident record.
 */
export const Finding = z.object({
  source: FindingSource,
  id: z.string().min(1),
  type: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  severity: FindingSeverity,
  accountId: AccountId,
  region: AwsRegion,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  count: z.number().int().min(1),
  sample: z.boolean(),
  resources: z.array(Resource).min(1),
  network: FindingNetwork.optional(),
  productArn: z.string().optional(),
  /**
   * Security Hub control id (`EC2.13`, `S3.8`, `CloudTrail.1`) of a control finding. Why: every
   * control finding shares a few generic `Types`; playbooks route control findings by this id.
   */
  controlId: z.string().optional(),
  /** ASFF `Compliance.Status` of a control finding (`FAILED`, `PASSED`, `WARNING`, `NOT_AVAILABLE`). */
  complianceStatus: z.string().optional(),
  apiCall: FindingApiCall.optional(),
  /** Who acted: the principal behind the activity and where it came from (see `FindingActor`). */
  actor: FindingActor.optional(),
  /** The process of a Runtime Monitoring finding. */
  runtime: FindingRuntime.optional(),
  /** What a malware scan found (Malware Protection for S3 or EC2). */
  malware: FindingMalware.optional(),
  /** The attack sequence of an `AttackSequence:*` finding; its resources are in `resources`. */
  sequence: AttackSequence.optional(),
  /**
   * Where the finding's own workflow status lives (Security Hub v1/v2, GuardDuty), so the responder
   * can mark it at its source when the incident opens and resolves (see `FindingWorkflowRef`).
   */
  workflow: FindingWorkflowRef.optional(),
  raw: z.unknown(),
});
/** @see Finding */
export type Finding = z.infer<typeof Finding>;
