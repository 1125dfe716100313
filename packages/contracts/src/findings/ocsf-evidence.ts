import type { Finding, FindingNetwork, RemoteIp } from '../finding.js';
import type { FindingActor, FindingMalware, FindingRuntime, RuntimeProcess } from '../finding-context.js';
import { malwareThreatLimit } from '../finding-context.js';
import { IpAddress, Port } from '../primitives.js';
import type { Resource } from '../resource.js';
import { defined, isRecord, networkOrUndefined, unique } from './shared.js';

/*
 * OCSF `evidences[]`, `observables[]` and `malware[]`: free-form enough that they are read field by
 * field rather than with a schema. A value of the wrong type is ignored, never fatal: these enrich a
 * finding, they do not decide whether it is one.
 */

type Json = Record<string, unknown>;

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** An OCSF network endpoint (`src_endpoint`, `dst_endpoint`) as a remote party, if it has a valid IP. */
function remoteOf(endpoint: unknown): RemoteIp | undefined {
  const ip = str(get(endpoint, 'ip'));
  if (!ip || !IpAddress.safeParse(ip).success) return undefined;
  const port = int(get(endpoint, 'port'));
  return {
    ip,
    ...(port !== undefined && Port.safeParse(port).success ? { port } : {}),
    ...defined({
      country: str(get(endpoint, 'location', 'country')),
      org: str(get(endpoint, 'autonomous_system', 'name')),
    }),
  };
}

/** `Outbound` (direction_id 2) or `Inbound` (1), as seen from the affected resource. */
function directionOf(evidence: Json): 'inbound' | 'outbound' | undefined {
  const id = int(get(evidence, 'connection_info', 'direction_id'));
  const word = str(get(evidence, 'connection_info', 'direction'))?.toLowerCase();
  if (id === 2 || word === 'outbound') return 'outbound';
  if (id === 1 || word === 'inbound') return 'inbound';
  return undefined;
}

/**
 * The network side: for an outbound connection the remote party is `dst_endpoint`, otherwise
 * `src_endpoint` (the caller of an API, the source of an inbound connection). Observables of type
 * IP Address (`type_id` 2) whose name says they are the source or remote end are added too.
 */
export function networkFromOcsf(
  evidences: readonly unknown[],
  observables: readonly unknown[],
): FindingNetwork | undefined {
  const items = records(evidences);
  const remotes: (RemoteIp | undefined)[] = [];
  const localPorts: (number | undefined)[] = [];
  let direction: 'inbound' | 'outbound' | undefined;
  let domain: string | undefined;
  let protocol: string | undefined;
  for (const evidence of items) {
    const way = directionOf(evidence);
    direction ??= way;
    const [remote, local] =
      way === 'outbound' ? ['dst_endpoint', 'src_endpoint'] : ['src_endpoint', 'dst_endpoint'];
    remotes.push(remoteOf(evidence[remote]));
    if (way) localPorts.push(int(get(evidence, local, 'port')));
    domain ??= str(get(evidence, 'query', 'hostname')) ?? str(get(evidence, 'dst_endpoint', 'domain'));
    protocol ??= str(get(evidence, 'connection_info', 'protocol_name'));
  }
  for (const observable of records(observables)) {
    const name = str(observable.name) ?? '';
    const ip = observable.value;
    if (observable.type_id === 2 && /src_endpoint|remote/i.test(name) && !remotes.some((r) => r?.ip === ip))
      remotes.push(remoteOf({ ip }));
  }
  return networkOrUndefined({
    remoteIps: unique(remotes),
    localPorts: unique(localPorts).filter((port) => Port.safeParse(port).success),
    domain,
    direction,
    protocol,
  });
}

/**
 * The API call (`evidences[].api`): operation and service, and the resources it affected as
 * GuardDuty gives them in `evidences[].data.affected_resource` (`AWS::CloudTrail::Trail` → name).
 */
export function apiCallFromOcsf(evidences: readonly unknown[]): Finding['apiCall'] {
  const evidence = records(evidences).find((item) => isRecord(item.api));
  if (!evidence) return undefined;
  const affected = get(evidence, 'data', 'affected_resource');
  const affectedResources = isRecord(affected)
    ? Object.fromEntries(
        Object.entries(affected).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    : {};
  const apiCall = defined({
    api: str(get(evidence, 'api', 'operation')),
    serviceName: str(get(evidence, 'api', 'service', 'name')),
    affectedResources: Object.keys(affectedResources).length > 0 ? affectedResources : undefined,
  });
  return Object.keys(apiCall).length > 0 ? apiCall : undefined;
}

/**
 * Who acted: `evidences[].actor.user` (name, type, `credential_uid` as the access key, account) and
 * the caller's `src_endpoint`; when no evidence names a user, the finding's IAM access key resource.
 */
export function actorFromOcsf(
  evidences: readonly unknown[],
  resources: readonly Resource[],
): FindingActor | undefined {
  const items = records(evidences);
  const withUser = items.find((item) => isRecord(get(item, 'actor', 'user')));
  const user = get(withUser, 'actor', 'user');
  const key = resources.find((resource) => resource.kind === 'iam-access-key');
  const caller = items
    .map((item) => (directionOf(item) === 'outbound' ? undefined : remoteOf(item.src_endpoint)))
    .find(Boolean);
  const userType = str(get(user, 'type')) ?? key?.userType;
  const userName = str(get(user, 'name'));
  const actor = defined({
    userType,
    ...(userName
      ? userType === 'AssumedRole'
        ? { roleName: userName.split('/')[0] }
        : { userName }
      : { userName: key?.userName, roleName: key?.roleName }),
    principalId: str(get(user, 'uid')) ?? key?.principalId,
    accessKeyId: str(get(user, 'credential_uid')) ?? key?.accessKeyId,
    accountId: str(get(user, 'account', 'uid')),
    sourceIp: caller?.ip,
    sourceCountry: caller?.country,
    sourceOrg: caller?.org,
    userAgent: items.map((item) => str(get(item, 'http_request', 'user_agent'))).find(Boolean),
  });
  return Object.keys(actor).length > 0 ? actor : undefined;
}

/** The SHA-256 among OCSF file hashes (`algorithm_id` 3, or `algorithm: SHA-256`). */
function sha256Of(file: unknown): string | undefined {
  const hash = records(get(file, 'hashes')).find(
    (item) => item.algorithm_id === 3 || str(item.algorithm)?.replace('-', '').toUpperCase() === 'SHA256',
  );
  return str(hash?.value);
}

function processFromOcsf(process: unknown): RuntimeProcess | undefined {
  if (!isRecord(process)) return undefined;
  const found = defined({
    name: str(process.name),
    executablePath: str(process.path) ?? str(get(process, 'file', 'path')),
    executableSha256: sha256Of(process.file),
    pid: int(process.pid),
    user: str(get(process, 'user', 'name')),
    userId: int(Number(get(process, 'user', 'uid'))),
    uuid: str(process.uid),
  });
  return Object.keys(found).length > 0 ? { ...found, lineage: [] } : undefined;
}

/** The process of a runtime finding (`evidences[].actor.process`). */
export function runtimeFromOcsf(evidences: readonly unknown[]): FindingRuntime | undefined {
  for (const evidence of records(evidences)) {
    const process = processFromOcsf(get(evidence, 'actor', 'process'));
    if (process) return { process, context: {} };
  }
  return undefined;
}

/** The threats of OCSF `malware[]` (name, and the path when given). */
export function malwareFromOcsf(malware: readonly unknown[]): FindingMalware | undefined {
  const threats = records(malware)
    .slice(0, malwareThreatLimit)
    .flatMap((item) => {
      const name = str(item.name);
      if (!name) return [];
      const path = str(item.path);
      return [{ name, itemPaths: path ? [{ path }] : [] }];
    });
  return threats.length > 0 ? { threats } : undefined;
}
