import { z } from 'zod';
import type { Finding, RemoteIp } from '../finding.js';
import type { FindingActor, KubernetesUser } from '../finding-context.js';
import { Port } from '../primitives.js';
import type { AccessKeyDetails, KubernetesDetails } from './guardduty-schemas.js';
import { defined, networkOrUndefined, orNull, strings, unique } from './shared.js';

/*
 * GuardDuty's `service.action` (camelCase): the network side, the API call and the actor of a
 * finding. Field names from the GuardDuty API reference (`Action`,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Action.html).
 */

const PortDetails = z.object({ port: Port.optional() });

const RemoteIpDetails = z.object({
  ipAddressV4: z.ipv4().optional(),
  ipAddressV6: z.ipv6().optional(),
  country: z.object({ countryName: z.string().optional() }).optional(),
  organization: z.object({ org: z.string().optional(), asnOrg: z.string().optional() }).optional(),
});
type RemoteIpDetails = z.infer<typeof RemoteIpDetails>;

/** `loginAttributes` of an RDS login (the API model names it `LoginAttributes`; both are read). */
const LoginAttribute = z.object({ user: orNull(z.string()), application: orNull(z.string()) });

/** The `service.action` of a GuardDuty finding: only what the normalisers read. */
export const GuardDutyAction = z.object({
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
      userAgent: orNull(z.string()),
      remoteAccountDetails: orNull(z.object({ accountId: orNull(z.string()) })),
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
  kubernetesApiCallAction: orNull(
    z.object({
      remoteIpDetails: orNull(RemoteIpDetails),
      userAgent: orNull(z.string()),
      sourceIPs: orNull(z.array(z.string())),
    }),
  ),
  rdsLoginAttemptAction: orNull(
    z.object({
      remoteIpDetails: orNull(RemoteIpDetails),
      loginAttributes: orNull(z.array(LoginAttribute)),
      LoginAttributes: orNull(z.array(LoginAttribute)),
    }),
  ),
});
/** @see GuardDutyAction */
export type GuardDutyAction = z.infer<typeof GuardDutyAction>;

/** The API call of an `AWS_API_CALL` finding, or `undefined` when it names none. */
export function apiCallOf(action: GuardDutyAction | undefined): Finding['apiCall'] {
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

/** The network side of a finding: remote parties, local ports, domain, direction, protocol. */
export function networkOf(action: GuardDutyAction | undefined) {
  if (!action) return undefined;
  const connection = action.networkConnectionAction;
  const probes = action.portProbeAction?.portProbeDetails ?? [];
  const direction = connection?.connectionDirection?.toLowerCase();
  const inboundCall = action.kubernetesApiCallAction ?? action.rdsLoginAttemptAction;
  return networkOrUndefined({
    remoteIps: unique([
      remoteIp(connection?.remoteIpDetails, connection?.remotePortDetails?.port),
      remoteIp(action.awsApiCallAction?.remoteIpDetails),
      remoteIp(action.kubernetesApiCallAction?.remoteIpDetails),
      remoteIp(action.rdsLoginAttemptAction?.remoteIpDetails),
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
        : probes.length > 0 || inboundCall?.remoteIpDetails
          ? 'inbound'
          : action.dnsRequestAction
            ? 'outbound'
            : connection
              ? 'unknown'
              : undefined,
    protocol: connection?.protocol ?? action.dnsRequestAction?.protocol,
  });
}

/** The logins of an RDS finding (`rdsLoginAttemptAction.loginAttributes`), first one first. */
export function rdsLoginUser(action: GuardDutyAction | undefined): string | undefined {
  const attempt = action?.rdsLoginAttemptAction;
  const logins = attempt?.loginAttributes ?? attempt?.LoginAttributes ?? [];
  return logins.find((login) => login.user)?.user;
}

/**
 * Who acted: `accessKeyDetails` (for an S3, EKS or IAM finding alike), the source of the API or
 * Kubernetes call, and the Kubernetes identity. `undefined` when the finding names no actor (a
 * network finding about an instance).
 */
export function actorOf(
  accessKey: AccessKeyDetails | undefined,
  kubernetes: KubernetesDetails | undefined,
  action: GuardDutyAction | undefined,
): FindingActor | undefined {
  const apiCall = action?.awsApiCallAction;
  const k8sCall = action?.kubernetesApiCallAction;
  const source =
    remoteIp(apiCall?.remoteIpDetails) ??
    remoteIp(k8sCall?.remoteIpDetails) ??
    remoteIp(action?.rdsLoginAttemptAction?.remoteIpDetails);
  const k8sUser = kubernetes?.kubernetesUserDetails;
  const kubernetesUser: KubernetesUser | undefined = k8sUser?.username
    ? {
        username: k8sUser.username,
        ...defined({ uid: k8sUser.uid }),
        groups: strings(k8sUser.groups),
        sessionNames: strings(k8sUser.sessionName),
      }
    : undefined;
  const assumedRole = accessKey?.userType === 'AssumedRole';
  const actor = defined({
    userType: accessKey?.userType,
    userName: assumedRole ? undefined : accessKey?.userName,
    roleName: assumedRole ? accessKey?.userName : undefined,
    principalId: accessKey?.principalId,
    accessKeyId: accessKey?.accessKeyId,
    accountId: apiCall?.remoteAccountDetails?.accountId,
    sourceIp: source?.ip,
    sourceCountry: source?.country,
    sourceOrg: source?.org,
    userAgent: apiCall?.userAgent || k8sCall?.userAgent || undefined,
    kubernetesUser,
  });
  return Object.keys(actor).length > 0 ? actor : undefined;
}
