import { z } from 'zod';
import type { Finding, FindingNetwork, FindingSeverity, RemoteIp } from '../finding.js';
import { guardDutyFindingIdOf } from '../finding-workflow.js';
import { AccountId, AwsRegion, IsoDateTime, Port, toUtcIso } from '../primitives.js';
import type { Resource } from '../resource.js';
import type { NetworkInterface } from '../resource-parts.js';
import {
  bandFromScore,
  bandFromSecurityHubLabel,
  representativeScore,
  SecurityHubSeverityLabel,
} from '../severity.js';
import { defined, networkOrUndefined, noResource, parseOrThrow, toFinding, unique } from './shared.js';

/** EventBridge's `detail-type` for findings imported into Security Hub. */
export const securityHubDetailType = 'Security Hub Findings - Imported';

const IamAccessKeyDetails = z.object({
  UserName: z.string().optional(),
  PrincipalId: z.string().optional(),
  PrincipalName: z.string().optional(),
  PrincipalType: z.string().optional(),
  AccessKeyId: z.string().optional(),
  SessionContext: z
    .object({
      SessionIssuer: z.object({ Arn: z.string().optional(), UserName: z.string().optional() }).optional(),
    })
    .optional(),
});
type IamAccessKeyDetails = z.infer<typeof IamAccessKeyDetails>;

const AsffResource = z.object({
  Type: z.string().min(1),
  Id: z.string().min(1),
  Region: z.string().optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  Details: z
    .object({
      AwsEc2Instance: z
        .object({
          Type: z.string().optional(),
          ImageId: z.string().optional(),
          IpV4Addresses: z.array(z.ipv4()).optional(),
          IpV6Addresses: z.array(z.ipv6()).optional(),
          IamInstanceProfileArn: z.string().optional(),
          VpcId: z.string().optional(),
          SubnetId: z.string().optional(),
          NetworkInterfaces: z.array(z.object({ NetworkInterfaceId: z.string().min(1) })).optional(),
        })
        .optional(),
      AwsIamAccessKey: IamAccessKeyDetails.optional(),
      // The brief's spelling; ASFF itself uses AwsIamAccessKey. Accepted so neither is lost.
      AwsIamAccessKeyDetails: IamAccessKeyDetails.optional(),
      AwsIamUser: z.object({ UserName: z.string().optional() }).optional(),
      AwsIamRole: z.object({ RoleName: z.string().optional() }).optional(),
    })
    .optional(),
});
type AsffResource = z.infer<typeof AsffResource>;

const AsffNetwork = z.object({
  Direction: z.enum(['IN', 'OUT']).optional(),
  Protocol: z.string().optional(),
  SourceIpV4: z.ipv4().optional(),
  SourceIpV6: z.ipv6().optional(),
  SourcePort: Port.optional(),
  SourceDomain: z.string().optional(),
  DestinationIpV4: z.ipv4().optional(),
  DestinationIpV6: z.ipv6().optional(),
  DestinationPort: Port.optional(),
  DestinationDomain: z.string().optional(),
});
type AsffNetwork = z.infer<typeof AsffNetwork>;

/** The parts of an AWS Security Finding Format finding that we read. */
export const AsffFinding = z.object({
  SchemaVersion: z.string().min(1),
  Id: z.string().min(1),
  ProductArn: z.string().min(1),
  GeneratorId: z.string().min(1),
  AwsAccountId: AccountId,
  Types: z.array(z.string().min(1)).optional(),
  CreatedAt: IsoDateTime,
  UpdatedAt: IsoDateTime,
  Severity: z
    .object({ Label: SecurityHubSeverityLabel.optional(), Normalized: z.number().min(0).max(100).optional() })
    .refine((severity) => severity.Label !== undefined || severity.Normalized !== undefined, {
      message: 'needs Label or Normalized',
    }),
  Title: z.string().min(1),
  Description: z.string().optional(),
  Region: AwsRegion.optional(),
  Resources: z.array(AsffResource),
  Network: AsffNetwork.optional(),
  ProductFields: z.record(z.string(), z.string()).optional(),
  Compliance: z
    .object({ Status: z.string().optional(), SecurityControlId: z.string().optional() })
    .optional(),
  Sample: z.boolean().optional(),
});
/** @see AsffFinding */
export type AsffFinding = z.infer<typeof AsffFinding>;

/** The EventBridge event Security Hub sends for imported findings; `source` must be AWS's own. */
export const SecurityHubImportedEvent = z.object({
  'detail-type': z.literal(securityHubDetailType),
  source: z.literal('aws.securityhub'),
  region: AwsRegion.optional(),
  detail: z.object({ findings: z.array(z.unknown()).min(1) }),
});
/** @see SecurityHubImportedEvent */
export type SecurityHubImportedEvent = z.infer<typeof SecurityHubImportedEvent>;

/**
 * Parses a `Security Hub Findings - Imported` event; each ASFF finding in it becomes its own
 * `Finding` (an event may carry up to 100).
 */
export function parseSecurityHubEvent(event: unknown): Finding[] {
  const envelope = parseOrThrow(SecurityHubImportedEvent, event, { prefix: [] });
  return envelope.detail.findings.map((raw, index) => {
    const prefix = ['detail', 'findings', index];
    const asff = parseOrThrow(AsffFinding, raw, { prefix });
    if (asff.Resources.length === 0) {
      noResource({ path: `detail.findings[${index}].Resources`, message: 'the finding names no resource' });
    }
    const region = asff.Region ?? envelope.region;
    if (!region)
      noResource({ path: `detail.findings[${index}].Region`, message: 'no region in finding or event' });
    return findingFromAsff(asff, region, raw);
  });
}

function findingFromAsff(asff: AsffFinding, region: string, raw: unknown): Finding {
  const severity = severityFromAsff(asff.Severity);
  const count = Number.parseInt(asff.ProductFields?.['aws/guardduty/service/count'] ?? '', 10);
  return toFinding({
    source: 'securityhub',
    id: asff.Id,
    type: asff.Types?.[0] ?? asff.GeneratorId,
    title: asff.Title,
    ...(asff.Description !== undefined ? { description: asff.Description } : {}),
    severity,
    accountId: asff.AwsAccountId,
    region,
    createdAt: toUtcIso(asff.CreatedAt),
    updatedAt: toUtcIso(asff.UpdatedAt),
    count: Number.isInteger(count) && count >= 1 ? count : 1,
    sample:
      asff.Sample === true || asff.ProductFields?.['aws/guardduty/service/additionalInfo/sample'] === 'true',
    resources: asff.Resources.map((resource) =>
      withResourceRegion(resourceFromAsff(resource), resource.Region, region),
    ),
    network: asff.Network ? networkFromAsff(asff.Network) : undefined,
    productArn: asff.ProductArn,
    ...defined({ controlId: controlIdOf(asff), complianceStatus: asff.Compliance?.Status }),
    workflow: {
      securityHub: { api: 'v1', productArn: asff.ProductArn, id: asff.Id },
      // GuardDuty's findings in Security Hub keep the GuardDuty finding ARN as their Id.
      ...defined({ guardDutyFindingId: guardDutyFindingIdOf(asff.Id) }),
    },
    raw,
  });
}

/**
 * The Security Hub control id of a control finding: `Compliance.SecurityControlId` (consolidated
 * findings), else `ProductFields.ControlId` (per-standard findings), else the end of a standard's
 * `GeneratorId` (`security-control/EC2.13`, `aws-foundational-security-best-practices/v/1.0.0/S3.8`).
 * Product findings (GuardDuty's GeneratorId is an ARN) have none.
 */
function controlIdOf(asff: AsffFinding): string | undefined {
  const given = asff.Compliance?.SecurityControlId ?? asff.ProductFields?.ControlId;
  if (given) return given;
  if (asff.GeneratorId.startsWith('arn:')) return undefined;
  return /\/([A-Za-z][A-Za-z0-9]*\.\d+)$/.exec(asff.GeneratorId)?.[1];
}

/**
 * The label decides the band. The score is `Normalized / 10` when that lies in the label's band,
 * else the band's representative score, so that score and band never disagree downstream.
 */
function severityFromAsff(severity: AsffFinding['Severity']): FindingSeverity {
  const { Label: label, Normalized: normalized } = severity;
  const fromNormalized = normalized === undefined ? undefined : normalized / 10;
  if (!label) {
    const score = fromNormalized ?? 0;
    return { score, band: bandFromScore(score) };
  }
  const band = bandFromSecurityHubLabel(label);
  const score =
    fromNormalized !== undefined && bandFromScore(fromNormalized) === band
      ? fromNormalized
      : representativeScore(band);
  return { score, band, label };
}

/** Keeps an instance's or bucket's own region (ASFF `Resources[].Region`) when it is not the finding's. */
function withResourceRegion(resource: Resource, region: string | undefined, findingRegion: string): Resource {
  if (resource.kind !== 'ec2-instance' && resource.kind !== 's3-bucket') return resource;
  if (region === undefined || region === findingRegion || !AwsRegion.safeParse(region).success)
    return resource;
  return { ...resource, region };
}

function resourceFromAsff(resource: AsffResource): Resource {
  const details = resource.Details;
  switch (resource.Type) {
    case 'AwsEc2Instance':
      return ec2FromAsff(resource);
    case 'AwsIamAccessKey':
      return accessKeyFromAsff(
        resource.Id,
        details?.AwsIamAccessKey ?? details?.AwsIamAccessKeyDetails ?? {},
      );
    case 'AwsIamUser':
      return {
        kind: 'iam-access-key',
        userType: 'IAMUser',
        userName: details?.AwsIamUser?.UserName ?? arnName(resource.Id),
      };
    case 'AwsIamRole':
      return {
        kind: 'iam-access-key',
        userType: 'AssumedRole',
        roleName: details?.AwsIamRole?.RoleName ?? arnName(resource.Id),
        ...(resource.Id.startsWith('arn:') ? { roleArn: resource.Id } : {}),
      };
    case 'AwsS3Bucket':
      return {
        kind: 's3-bucket',
        bucketName: resource.Id.startsWith('arn:')
          ? resource.Id.slice(resource.Id.lastIndexOf(':') + 1)
          : resource.Id,
        ...(resource.Id.startsWith('arn:') ? { arn: resource.Id } : {}),
        tags: resource.Tags ?? {},
      };
    default:
      return { kind: 'other', resourceType: resource.Type, id: resource.Id };
  }
}

function ec2FromAsff(resource: AsffResource): Resource {
  const details = resource.Details?.AwsEc2Instance;
  const ipv4 = details?.IpV4Addresses ?? [];
  // ASFF lists ENI ids and the instance's addresses but not which address is on which ENI:
  // the addresses, VPC and subnet are put on the first (primary) interface.
  const networkInterfaces: NetworkInterface[] = (details?.NetworkInterfaces ?? []).map((eni, index) => ({
    networkInterfaceId: eni.NetworkInterfaceId,
    ...defined({ vpcId: details?.VpcId, subnetId: index === 0 ? details?.SubnetId : undefined }),
    securityGroups: [],
    privateIpv4: index === 0 ? ipv4.filter(isPrivateIpv4) : [],
    publicIpv4: index === 0 ? ipv4.filter((ip) => !isPrivateIpv4(ip)) : [],
    ipv6: index === 0 ? (details?.IpV6Addresses ?? []) : [],
  }));
  return {
    kind: 'ec2-instance',
    instanceId: arnName(resource.Id),
    ...defined({
      instanceType: details?.Type,
      imageId: details?.ImageId,
      iamInstanceProfileArn: details?.IamInstanceProfileArn,
    }),
    tags: resource.Tags ?? {},
    networkInterfaces,
  };
}

function accessKeyFromAsff(id: string, details: IamAccessKeyDetails): Resource {
  const userType = details.PrincipalType ?? 'Unknown';
  const userName = details.PrincipalName ?? details.UserName;
  const issuer = details.SessionContext?.SessionIssuer;
  const roleName = userType === 'AssumedRole' ? (issuer?.UserName ?? userName?.split('/')[0]) : undefined;
  const accessKeyId = details.AccessKeyId ?? id.replace(/^AWS::IAM::AccessKey:/, '');
  return {
    kind: 'iam-access-key',
    ...(/^(AKIA|ASIA)[A-Z0-9]+$/.test(accessKeyId) ? { accessKeyId } : {}),
    // For an assumed role the principal name is `role/session`: a role, never a user to act on.
    ...defined({ principalId: details.PrincipalId, userName: roleName ? undefined : userName }),
    userType,
    ...(roleName ? { roleName } : {}),
    ...(roleName && issuer?.Arn ? { roleArn: issuer.Arn } : {}),
  };
}

function networkFromAsff(network: AsffNetwork): FindingNetwork | undefined {
  const inbound = network.Direction === 'IN';
  const remote = inbound
    ? { ip: network.SourceIpV4 ?? network.SourceIpV6, port: network.SourcePort, domain: network.SourceDomain }
    : {
        ip: network.DestinationIpV4 ?? network.DestinationIpV6,
        port: network.DestinationPort,
        domain: network.DestinationDomain,
      };
  const localPort = inbound ? network.DestinationPort : network.SourcePort;
  const remoteIps: RemoteIp[] = remote.ip
    ? [{ ip: remote.ip, ...(remote.port !== undefined ? { port: remote.port } : {}) }]
    : [];
  return networkOrUndefined({
    remoteIps,
    localPorts: unique([localPort]),
    domain: remote.domain,
    direction: network.Direction === undefined ? undefined : inbound ? 'inbound' : 'outbound',
    protocol: network.Protocol,
  });
}

/** The last `/`-separated part of an ARN (`arn:aws:ec2:...:instance/i-0abc` → `i-0abc`). */
function arnName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** RFC 1918, carrier-grade NAT and link-local ranges. */
function isPrivateIpv4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  );
}
