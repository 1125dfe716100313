import { z } from 'zod';
import type { Finding, FindingSeverity } from '../finding.js';
import { type FindingWorkflowRef, guardDutyFindingIdOf } from '../finding-workflow.js';
import { AccountId, AwsRegion } from '../primitives.js';
import type { Resource } from '../resource.js';
import { bandFromScore, representativeScore, type SeverityBand } from '../severity.js';
import {
  actorFromOcsf,
  apiCallFromOcsf,
  malwareFromOcsf,
  networkFromOcsf,
  runtimeFromOcsf,
} from './ocsf-evidence.js';
import { OcsfResource, resourceFromOcsf } from './ocsf-resources.js';
import { formatPath } from '../errors.js';
import {
  defined,
  invalid,
  isoTime,
  noResource,
  orNull,
  type PathStyle,
  parseOrThrow,
  toFinding,
} from './shared.js';

/*
 * OCSF 1.x findings: Security Hub's own format (`Findings Imported V2` events, `GetFindingsV2`
 * responses) and any other producer's. Mapping documented in docs/finding-format.md.
 */

/** EventBridge's `detail-type` for Security Hub's OCSF findings. */
export const securityHubV2DetailType = 'Findings Imported V2';

/** OCSF classes this parser maps: Detection Finding and Compliance Finding. */
export const ocsfFindingClasses = { detection: 2004, compliance: 2003 } as const;

const text = orNull(z.string());
const millis = orNull(z.number());

/** The parts of an OCSF finding that are read; everything else stays in `raw`. */
export const OcsfFinding = z.object({
  class_uid: z.union([z.literal(ocsfFindingClasses.detection), z.literal(ocsfFindingClasses.compliance)], {
    error: `must be ${ocsfFindingClasses.detection} (Detection Finding) or ${ocsfFindingClasses.compliance} (Compliance Finding)`,
  }),
  class_name: text,
  metadata: z.object({
    uid: text,
    product: orNull(z.object({ uid: text, name: text, vendor_name: text })),
  }),
  finding_info: z.object({
    uid: z.string().min(1),
    title: text,
    desc: text,
    types: orNull(z.array(z.string())),
    created_time: millis,
    created_time_dt: text,
    first_seen_time: millis,
    first_seen_time_dt: text,
    modified_time: millis,
    modified_time_dt: text,
  }),
  message: text,
  severity_id: z.number().int(),
  severity: text,
  time: millis,
  time_dt: text,
  count: orNull(z.number().int()),
  cloud: orNull(z.object({ account: orNull(z.object({ uid: text })), region: text })),
  resources: orNull(z.array(OcsfResource)),
  evidences: orNull(z.array(z.unknown())),
  observables: orNull(z.array(z.unknown())),
  malware: orNull(z.array(z.unknown())),
  compliance: orNull(z.object({ control: text, status: text, status_id: orNull(z.number().int()) })),
});
/** @see OcsfFinding */
export type OcsfFinding = z.infer<typeof OcsfFinding>;

/** Security Hub's `Findings Imported V2` event; `source` must be AWS's own (TRAPS 18). */
export const SecurityHubV2Event = z.object({
  'detail-type': z.literal(securityHubV2DetailType),
  source: z.literal('aws.securityhub'),
  region: AwsRegion.optional(),
  detail: z.object({ findings: z.array(z.unknown()).min(1) }),
});
/** @see SecurityHubV2Event */
export type SecurityHubV2Event = z.infer<typeof SecurityHubV2Event>;

/** Where an OCSF finding came from, and the region to fall back on. */
interface OcsfContext {
  readonly source: 'securityhub' | 'ocsf';
  readonly region?: string | undefined;
}

/** Parses a `Findings Imported V2` event: each OCSF finding in it becomes its own `Finding`. */
export function parseSecurityHubV2Event(event: unknown): Finding[] {
  const envelope = parseOrThrow(SecurityHubV2Event, event, { prefix: [] });
  return envelope.detail.findings.map((raw, index) =>
    findingFromOcsf(
      raw,
      { source: 'securityhub', region: envelope.region },
      { prefix: ['detail', 'findings', index] },
    ),
  );
}

/** Parses a `GetFindingsV2` response (`{ Findings: [...] }` of OCSF findings). */
export function parseSecurityHubV2Api(response: unknown): Finding[] {
  const parsed = parseOrThrow(z.object({ Findings: z.array(z.unknown()).min(1) }), response, { prefix: [] });
  return parsed.Findings.map((raw, index) =>
    findingFromOcsf(raw, { source: 'securityhub' }, { prefix: ['Findings', index] }),
  );
}

/** Parses one OCSF finding from a producer other than Security Hub (`source: ocsf`). */
export function parseOcsfFinding(finding: unknown): Finding[] {
  return [findingFromOcsf(finding, { source: 'ocsf' }, { prefix: [] })];
}

/** True when `value` looks like an OCSF finding (has `class_uid` and `finding_info`). */
export function isOcsfFinding(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'class_uid' in value && 'finding_info' in value;
}

function findingFromOcsf(raw: unknown, context: OcsfContext, style: PathStyle): Finding {
  const ocsf = parseOrThrow(OcsfFinding, raw, style);
  const at = (...path: string[]) => formatPath([...style.prefix, ...path]);
  const resources = (ocsf.resources ?? []).flatMap((resource): Resource[] => {
    const mapped = resourceFromOcsf(resource);
    return mapped ? [mapped] : [];
  });
  if (resources.length === 0) noResource({ path: at('resources'), message: 'the finding names no resource' });
  const accountId = ocsf.cloud?.account?.uid ?? ocsf.resources?.[0]?.owner?.account?.uid;
  if (!accountId || !AccountId.safeParse(accountId).success)
    invalid({ path: at('cloud', 'account', 'uid'), message: 'must be a 12-digit AWS account id' });
  const region = ocsf.cloud?.region ?? ocsf.resources?.[0]?.region ?? context.region;
  if (!region || !AwsRegion.safeParse(region).success)
    invalid({ path: at('cloud', 'region'), message: 'no AWS region in the finding or its event' });
  const info = ocsf.finding_info;
  const createdAt =
    isoTime(info.created_time_dt, 'milliseconds') ??
    isoTime(info.created_time, 'milliseconds') ??
    isoTime(info.first_seen_time_dt, 'milliseconds') ??
    isoTime(info.first_seen_time, 'milliseconds') ??
    isoTime(ocsf.time_dt, 'milliseconds') ??
    isoTime(ocsf.time, 'milliseconds');
  if (!createdAt)
    invalid({
      path: at('time'),
      message: 'no time: finding_info.created_time(_dt) or time(_dt) is required',
    });
  const updatedAt =
    isoTime(info.modified_time_dt, 'milliseconds') ??
    isoTime(info.modified_time, 'milliseconds') ??
    isoTime(ocsf.time_dt, 'milliseconds') ??
    isoTime(ocsf.time, 'milliseconds') ??
    createdAt;
  const type = findingType(ocsf);
  const evidences = ocsf.evidences ?? [];
  return toFinding({
    source: context.source,
    id: ocsf.metadata.uid ?? info.uid,
    type,
    title: info.title ?? ocsf.message ?? type,
    ...defined({ description: info.desc ?? ocsf.message }),
    severity: severityFromOcsf(ocsf.severity_id, ocsf.severity),
    accountId,
    region,
    createdAt,
    updatedAt: notBefore(updatedAt, createdAt),
    count: ocsf.count !== undefined && ocsf.count >= 1 ? ocsf.count : 1,
    sample: false,
    resources,
    network: networkFromOcsf(evidences, ocsf.observables ?? []),
    ...defined({
      // Security Hub's product uid is an ARN; another producer's is its own word, not an ARN.
      productArn: ocsf.metadata.product?.uid?.startsWith('arn:') ? ocsf.metadata.product.uid : undefined,
      controlId: ocsf.compliance?.control,
      complianceStatus: complianceStatus(ocsf.compliance),
      apiCall: apiCallFromOcsf(evidences),
      actor: actorFromOcsf(evidences, resources),
      runtime: runtimeFromOcsf(evidences),
      malware: malwareFromOcsf(ocsf.malware ?? []),
    }),
    ...(context.source === 'securityhub' ? { workflow: securityHubV2Workflow(ocsf) } : {}),
    raw,
  });
}

/**
 * Security Hub v2 updates a finding by `metadata.uid`; GuardDuty's findings there carry the GuardDuty
 * finding ARN as `finding_info.uid`, which gives the id GuardDuty archives by.
 */
function securityHubV2Workflow(ocsf: OcsfFinding): FindingWorkflowRef {
  return {
    ...(ocsf.metadata.uid ? { securityHub: { api: 'v2', metadataUid: ocsf.metadata.uid } } : {}),
    ...defined({ guardDutyFindingId: guardDutyFindingIdOf(ocsf.finding_info.uid) }),
  };
}

/** `time`, or `floor` when `time` is earlier (ISO UTC strings compare as times). */
function notBefore(time: string, floor: string): string {
  if (time < floor) return floor;
  return time;
}

/**
 * The finding type: the first of `finding_info.types` written GuardDuty's way
 * (`ThreatPurpose:ResourceType/Name`), since Security Hub lists generic types such as `Threats`
 * beside it; else the first type; else the compliance control; else the class name.
 */
function findingType(ocsf: OcsfFinding): string {
  const types = (ocsf.finding_info.types ?? []).filter((type) => type !== '');
  return (
    types.find((type) => /^[^:/\s]+:[^/\s]+\/\S/.test(type)) ??
    types[0] ??
    ocsf.compliance?.control ??
    ocsf.class_name ??
    (ocsf.class_uid === ocsfFindingClasses.compliance ? 'Compliance Finding' : 'Detection Finding')
  );
}

/** OCSF `severity_id` → band; 0 (Unknown) and 99 (Other) fall back on the `severity` caption. */
const bandOfSeverityId: Readonly<Record<number, SeverityBand>> = {
  1: 'LOW',
  2: 'LOW',
  3: 'MEDIUM',
  4: 'HIGH',
  5: 'CRITICAL',
  6: 'CRITICAL',
};

/**
 * Severity from OCSF: `severity_id` 1 Informational and 2 Low → LOW, 3 Medium → MEDIUM, 4 High →
 * HIGH, 5 Critical and 6 Fatal → CRITICAL. 0 Unknown and 99 Other use the `severity` caption when it
 * names a band, else MEDIUM: a finding of unknown severity reaches the team rather than the
 * low-priority queue (TRAPS 17). OCSF has no 0–10 score, so the score is the band's representative
 * score; `label` is the caption as the source wrote it.
 */
export function severityFromOcsf(severityId: number, caption: string | undefined): FindingSeverity {
  const fromCaption = caption?.toUpperCase();
  const band =
    bandOfSeverityId[severityId] ??
    (fromCaption === 'INFORMATIONAL' || fromCaption === 'LOW'
      ? 'LOW'
      : fromCaption === 'MEDIUM' || fromCaption === 'HIGH' || fromCaption === 'CRITICAL'
        ? fromCaption
        : fromCaption === 'FATAL'
          ? 'CRITICAL'
          : 'MEDIUM');
  const score = representativeScore(band);
  return { score, band: bandFromScore(score), ...defined({ label: caption }) };
}

/** OCSF `compliance.status` (`Pass`, `Warning`, `Fail`) in ASFF's words (`PASSED`, `WARNING`, `FAILED`). */
function complianceStatus(compliance: OcsfFinding['compliance']): string | undefined {
  if (!compliance) return undefined;
  const byId: Record<number, string> = { 1: 'PASSED', 2: 'WARNING', 3: 'FAILED' };
  const fromId = compliance.status_id !== undefined ? byId[compliance.status_id] : undefined;
  if (fromId) return fromId;
  switch (compliance.status?.toLowerCase()) {
    case 'pass':
      return 'PASSED';
    case 'warning':
      return 'WARNING';
    case 'fail':
      return 'FAILED';
    case undefined:
      return undefined;
    default:
      return 'NOT_AVAILABLE';
  }
}
