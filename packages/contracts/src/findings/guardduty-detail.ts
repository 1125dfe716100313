import { z } from 'zod';
import { FindingParseError, formatPath } from '../errors.js';
import type { Finding } from '../finding.js';
import { guardDutyProductArn } from '../finding-workflow.js';
import { AccountId, AwsRegion, IsoDateTime, toUtcIso } from '../primitives.js';
import { type Resource, resourceKey } from '../resource.js';
import { bandFromScore } from '../severity.js';
import { actorOf, apiCallOf, GuardDutyAction, networkOf, rdsLoginUser } from './guardduty-action.js';
import { GuardDutyResource, resourcesFromGuardDuty } from './guardduty-resources.js';
import { MalwareScanDetails, malwareOf, RuntimeDetails, runtimeOf } from './guardduty-runtime.js';
import { GuardDutySequence, sequenceOf } from './guardduty-sequence.js';
import { defined, noResource, orNull, type PathStyle, parseOrThrow, toFinding } from './shared.js';

/*
 * The content of a GuardDuty finding, in the camelCase of EventBridge's `detail`. The API shape
 * (PascalCase) is re-keyed into this one, so both formats share one schema and one normaliser.
 * Unknown fields pass through untouched in `raw`; only what we use is checked.
 */

const GuardDutyDetail = z.object({
  schemaVersion: z.string().optional(),
  accountId: AccountId,
  region: AwsRegion,
  id: z.string().min(1),
  arn: z.string().optional(),
  type: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  severity: z.number().min(0).max(10),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  resource: GuardDutyResource.optional(),
  service: z
    .object({
      action: orNull(GuardDutyAction),
      count: z.number().int().min(1).optional(),
      additionalInfo: z.unknown().optional(),
      runtimeDetails: orNull(RuntimeDetails),
      malwareScanDetails: orNull(MalwareScanDetails),
      detection: orNull(z.object({ sequence: orNull(GuardDutySequence) })),
    })
    .optional(),
});

/**
 * Normalises the content of one GuardDuty finding (camelCase keys). `style` says how to name fields
 * in errors: `detail.` for EventBridge, PascalCase for the API.
 */
export function findingFromGuardDutyDetail(detail: unknown, raw: unknown, style: PathStyle): Finding {
  const parsed = parseOrThrow(GuardDutyDetail, detail, style);
  const name = (...path: PropertyKey[]) =>
    formatPath([
      ...style.prefix,
      ...path.map((key) => (typeof key === 'string' ? (style.rename ?? same)(key) : key)),
    ]);
  const service = parsed.service;
  const action = service?.action;
  const sequence = service?.detection?.sequence ? sequenceOf(service.detection.sequence) : undefined;
  if (!parsed.resource && !sequence?.resources.length)
    noResource({ path: name('resource'), message: 'the finding names no resource' });
  const named = parsed.resource
    ? resourcesFromGuardDuty(parsed.resource, parsed.arn ?? parsed.id, name).map((resource) =>
        withLoginUser(resource, rdsLoginUser(action)),
      )
    : [];
  return toFinding({
    source: 'guardduty',
    id: parsed.id,
    type: parsed.type,
    title: parsed.title,
    ...(parsed.description !== undefined ? { description: parsed.description } : {}),
    severity: { score: parsed.severity, band: bandFromScore(parsed.severity) },
    accountId: parsed.accountId,
    region: parsed.region,
    createdAt: toUtcIso(parsed.createdAt),
    updatedAt: toUtcIso(parsed.updatedAt),
    count: service?.count ?? 1,
    sample: readSample(service?.additionalInfo, name),
    resources: mergeResources(named, sequence?.resources ?? []),
    network: networkOf(action),
    ...defined({
      apiCall: apiCallOf(action),
      actor: actorOf(parsed.resource?.accessKeyDetails, parsed.resource?.kubernetesDetails, action),
      runtime: runtimeOf(service?.runtimeDetails),
      malware: malwareOf(service?.malwareScanDetails),
      sequence: sequence?.sequence,
    }),
    // Security Hub files GuardDuty's findings under GuardDuty's product, with the finding ARN as Id.
    workflow: {
      guardDutyFindingId: parsed.id,
      ...(parsed.arn
        ? { securityHub: { api: 'v1', productArn: guardDutyProductArn(parsed.region), id: parsed.arn } }
        : {}),
    },
    raw,
  });
}

/**
 * The finding's own resources first (the first one keys coalescing), then the attack sequence's
 * that are not already among them.
 */
function mergeResources(named: Resource[], fromSequence: Resource[]): Resource[] {
  const keys = new Set(named.map(resourceKey));
  return [...named, ...fromSequence.filter((resource) => !keys.has(resourceKey(resource)))];
}

/** An RDS resource without `rdsDbUserDetails` takes its user from the login attempt, if any. */
function withLoginUser(resource: Resource, user: string | undefined): Resource {
  if (resource.kind !== 'rds-database' || resource.dbUser || !user) return resource;
  return { ...resource, dbUser: { user } };
}

const same = (key: string) => key;

/**
 * GuardDuty marks generated samples with `additionalInfo.sample`. EventBridge sends `additionalInfo`
 * as an object, the API (and some events) as `{ value: "<json>", type: "default" }`.
 */
function readSample(additionalInfo: unknown, name: (...p: PropertyKey[]) => string): boolean {
  if (typeof additionalInfo !== 'object' || additionalInfo === null) return false;
  const info = additionalInfo as Record<string, unknown>;
  if (typeof info.value === 'string' && !('sample' in info)) {
    try {
      const inner: unknown = JSON.parse(info.value);
      return typeof inner === 'object' && inner !== null && (inner as { sample?: unknown }).sample === true;
    } catch (error: unknown) {
      throw new FindingParseError(
        'schema',
        [{ path: name('service', 'additionalInfo', 'value'), message: 'is not a JSON document' }],
        { cause: error },
      );
    }
  }
  return info.sample === true;
}
