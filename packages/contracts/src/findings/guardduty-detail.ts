import { z } from 'zod';
import { FindingParseError, formatPath } from '../errors.js';
import type { Finding, RemoteIp } from '../finding.js';
import { AccountId, AwsRegion, IsoDateTime, Port, toUtcIso } from '../primitives.js';
import { bandFromScore } from '../severity.js';
import { GuardDutyResource, resourcesFromGuardDuty } from './guardduty-resources.js';
import {
  defined,
  networkOrUndefined,
  noResource,
  type PathStyle,
  parseOrThrow,
  toFinding,
  unique,
} from './shared.js';

/*
 * The content of a GuardDuty finding, in the camelCase of EventBridge's `detail`. The API shape
 * (PascalCase) is re-keyed into this one, so both formats share one schema and one normaliser.
 * Unknown fields pass through untouched in `raw`; only what we use is checked.
 */

const PortDetails = z.object({ port: Port.optional() });

const RemoteIpDetails = z.object({
  ipAddressV4: z.ipv4().optional(),
  ipAddressV6: z.ipv6().optional(),
  country: z.object({ countryName: z.string().optional() }).optional(),
  organization: z.object({ org: z.string().optional(), asnOrg: z.string().optional() }).optional(),
});
type RemoteIpDetails = z.infer<typeof RemoteIpDetails>;

const Action = z.object({
  actionType: z.string().optional(),
  networkConnectionAction: z
    .object({
      remoteIpDetails: RemoteIpDetails.optional(),
      remotePortDetails: PortDetails.optional(),
      localPortDetails: PortDetails.optional(),
      connectionDirection: z.string().optional(),
      protocol: z.string().optional(),
    })
    .optional(),
  awsApiCallAction: z
    .object({
      remoteIpDetails: RemoteIpDetails.optional(),
      api: z.string().optional(),
      serviceName: z.string().optional(),
      callerType: z.string().optional(),
      affectedResources: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  dnsRequestAction: z.object({ domain: z.string().optional(), protocol: z.string().optional() }).optional(),
  portProbeAction: z
    .object({
      portProbeDetails: z
        .array(
          z.object({ remoteIpDetails: RemoteIpDetails.optional(), localPortDetails: PortDetails.optional() }),
        )
        .optional(),
    })
    .optional(),
});
type Action = z.infer<typeof Action>;

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
      action: Action.optional(),
      count: z.number().int().min(1).optional(),
      additionalInfo: z.unknown().optional(),
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
  if (!parsed.resource) noResource({ path: name('resource'), message: 'the finding names no resource' });
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
    count: parsed.service?.count ?? 1,
    sample: readSample(parsed.service?.additionalInfo, name),
    resources: resourcesFromGuardDuty(parsed.resource, parsed.arn ?? parsed.id, name),
    network: networkOf(parsed.service?.action),
    ...defined({ apiCall: apiCallOf(parsed.service?.action) }),
    raw,
  });
}

/** The API call of an `AWS_API_CALL` finding, or `undefined` when it names none. */
function apiCallOf(action: Action | undefined): Finding['apiCall'] {
  const call = action?.awsApiCallAction;
  if (!call) return undefined;
  // The API format is re-keyed to camelCase, which turns `AWS::CloudTrail::Trail` into `aWS::…`.
  const affected = Object.fromEntries(
    Object.entries(call.affectedResources ?? {}).map(([type, id]) => [type.replace(/^aWS::/, 'AWS::'), id]),
  );
  const apiCall = defined({
    api: call.api,
    serviceName: call.serviceName,
    callerType: call.callerType,
    affectedResources: Object.keys(affected).length > 0 ? affected : undefined,
  });
  return Object.keys(apiCall).length > 0 ? apiCall : undefined;
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

function remoteIp(details: RemoteIpDetails | undefined, port?: number): RemoteIp | undefined {
  const ip = details?.ipAddressV4 ?? details?.ipAddressV6;
  if (!ip) return undefined;
  const country = details?.country?.countryName;
  const org = details?.organization?.org ?? details?.organization?.asnOrg;
  return {
    ip,
    ...(port !== undefined ? { port } : {}),
    ...(country ? { country } : {}),
    ...(org ? { org } : {}),
  };
}

function networkOf(action: Action | undefined) {
  if (!action) return undefined;
  const connection = action.networkConnectionAction;
  const probes = action.portProbeAction?.portProbeDetails ?? [];
  const direction = connection?.connectionDirection?.toLowerCase();
  return networkOrUndefined({
    remoteIps: unique([
      remoteIp(connection?.remoteIpDetails, connection?.remotePortDetails?.port),
      remoteIp(action.awsApiCallAction?.remoteIpDetails),
      ...probes.map((probe) => remoteIp(probe.remoteIpDetails)),
    ]),
    localPorts: unique([
      connection?.localPortDetails?.port,
      ...probes.map((probe) => probe.localPortDetails?.port),
    ]),
    domain: action.dnsRequestAction?.domain,
    direction:
      direction === 'inbound' || direction === 'outbound'
        ? direction
        : probes.length > 0
          ? 'inbound'
          : action.dnsRequestAction
            ? 'outbound'
            : connection
              ? 'unknown'
              : undefined,
    protocol: connection?.protocol ?? action.dnsRequestAction?.protocol,
  });
}
