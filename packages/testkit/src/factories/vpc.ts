import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { ResourceSetupError } from '../errors.js';
import { tagList } from './names.js';

export interface CreateVpcOptions {
  readonly ec2: EC2Client;
  /** IPv4 block of the VPC; subnets are carved from it in equal parts. */
  readonly cidr?: string;
  readonly subnets?: number;
  /** Also request an Amazon IPv6 /56 and give each subnet a /64 of it. */
  readonly ipv6?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreatedVpc {
  readonly vpcId: string;
  /** Spread round-robin over the region's availability zones. */
  readonly subnetIds: string[];
}

/** Creates a VPC with `subnets` subnets. */
export async function createVpc(options: CreateVpcOptions): Promise<CreatedVpc> {
  const { ec2, cidr = '10.0.0.0/16', subnets = 1, ipv6 = false, tags } = options;
  const tagSpec = (type: 'vpc' | 'subnet') =>
    tags ? [{ ResourceType: type, Tags: tagList(tags) }] : undefined;
  const { Vpc: vpc } = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      AmazonProvidedIpv6CidrBlock: ipv6,
      TagSpecifications: tagSpec('vpc'),
    }),
  );
  const vpcId = vpc?.VpcId;
  if (!vpcId) throw new ResourceSetupError('CreateVpc returned no VPC id');

  const ipv6Block = ipv6 ? await vpcIpv6Block(ec2, vpcId) : undefined;
  const { AvailabilityZones: zones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  const subnetIds: string[] = [];
  for (const [index, block] of splitIpv4Cidr(cidr, subnets).entries()) {
    const { Subnet: subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: block,
        AvailabilityZone: zones.length > 0 ? zones[index % zones.length]?.ZoneName : undefined,
        Ipv6CidrBlock: ipv6Block ? ipv6Subnet64(ipv6Block, index) : undefined,
        TagSpecifications: tagSpec('subnet'),
      }),
    );
    if (!subnet?.SubnetId) throw new ResourceSetupError(`CreateSubnet returned no id for ${block}`);
    subnetIds.push(subnet.SubnetId);
  }
  return { vpcId, subnetIds };
}

async function vpcIpv6Block(ec2: EC2Client, vpcId: string): Promise<string> {
  const { Vpcs: vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  const block = vpcs[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock;
  if (!block) throw new ResourceSetupError(`VPC ${vpcId} has no IPv6 block`);
  return block;
}

/** Splits an IPv4 CIDR into `count` equal, aligned blocks (the smallest power of two that fits). */
export function splitIpv4Cidr(cidr: string, count: number): string[] {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match || count < 1) throw new ResourceSetupError(`cannot split ${cidr} into ${count} subnets`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  const subPrefix = prefix + Math.ceil(Math.log2(count));
  if (octets.some((o) => o > 255) || prefix > 28 || subPrefix > 28) {
    throw new ResourceSetupError(`cannot split ${cidr} into ${count} subnets of /28 or larger`);
  }
  const base = octets.reduce((ip, octet) => ip * 256 + octet, 0);
  const size = 2 ** (32 - subPrefix);
  return Array.from({ length: count }, (_, index) => {
    const ip = base + index * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.')}/${subPrefix}`;
  });
}

/** The `index`-th /64 of an IPv6 /56, e.g. `2600:1f18:1:a00::/56`, 3 → `2600:1f18:1:a03::/64`. */
export function ipv6Subnet64(block56: string, index: number): string {
  const [address = ''] = block56.split('/');
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
  const fourth = ((groups[3] ?? 0) & 0xff00) | (index & 0xff);
  return `${[...groups.slice(0, 3), fourth].map((g) => g.toString(16)).join(':')}::/64`;
}
