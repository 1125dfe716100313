import { DescribeNetworkAclsCommand, type EC2Client, type NetworkAcl } from '@aws-sdk/client-ec2';
import { ResourceNotFoundError } from '../../errors.js';

/**
 * The network ACL a block names, by id or by a subnet associated with it: the one `contain.block-ip`
 * changes, and whose tags (and its subnets') the protected-tag gate reads.
 */
export async function findAcl(
  ec2: EC2Client,
  params: { subnetId?: string | undefined; networkAclId?: string | undefined },
): Promise<NetworkAcl> {
  const output = await ec2.send(
    new DescribeNetworkAclsCommand(
      params.networkAclId
        ? { NetworkAclIds: [params.networkAclId] }
        : { Filters: [{ Name: 'association.subnet-id', Values: [params.subnetId ?? ''] }] },
    ),
  );
  const acl = output.NetworkAcls?.[0];
  if (!acl?.NetworkAclId) {
    throw new ResourceNotFoundError(
      `no network ACL found for ${params.networkAclId ?? `subnet ${params.subnetId}`}`,
    );
  }
  return acl;
}
