import { z } from 'zod';
import { stepCommand } from './step-command.js';

const UserName = z.string().min(1);

/** Isolate an instance: every ENI to the isolation group, ASG detach, protections (TRAPS 1–7). */
export const ContainEc2Instance = stepCommand(
  'contain.ec2-instance',
  z.object({ instanceId: z.string().min(1) }),
);
/** @see ContainEc2Instance */
export type ContainEc2Instance = z.infer<typeof ContainEc2Instance>;

/** Contain an IAM user: deny-all policy, keys inactive (never deleted), tag (TRAPS 8). */
export const ContainIamUser = stepCommand('contain.iam-user', z.object({ userName: UserName }));
/** @see ContainIamUser */
export type ContainIamUser = z.infer<typeof ContainIamUser>;

/** Deactivate exactly one leaked key, not all of the user's keys. */
export const ContainAccessKey = stepCommand(
  'contain.access-key',
  z.object({ userName: UserName, accessKeyId: z.string().min(1) }),
);
/** @see ContainAccessKey */
export type ContainAccessKey = z.infer<typeof ContainAccessKey>;

/** Revoke a role's sessions issued before now (`aws:TokenIssueTime` deny, TRAPS 7). */
export const ContainRoleSessions = stepCommand(
  'contain.role-sessions',
  z.object({ roleName: z.string().min(1) }),
);
/** @see ContainRoleSessions */
export type ContainRoleSessions = z.infer<typeof ContainRoleSessions>;

/** Lock a bucket down reversibly; `allowPrincipalArns` keep access (e.g. the forensics role). */
export const ContainS3Bucket = stepCommand(
  'contain.s3-bucket',
  z.object({ bucketName: z.string().min(1), allowPrincipalArns: z.array(z.string().min(1)).optional() }),
);
/** @see ContainS3Bucket */
export type ContainS3Bucket = z.infer<typeof ContainS3Bucket>;

/** Deny a CIDR in a subnet's NACL (named by subnet or NACL id); the stronger, approval-gated option. */
export const ContainBlockIp = stepCommand(
  'contain.block-ip',
  z
    .object({
      subnetId: z.string().min(1).optional(),
      networkAclId: z.string().min(1).optional(),
      cidr: z.union([z.cidrv4(), z.cidrv6()]),
    })
    .refine((params) => params.subnetId !== undefined || params.networkAclId !== undefined, {
      message: 'needs subnetId or networkAclId',
      path: ['subnetId'],
    }),
);
/** @see ContainBlockIp */
export type ContainBlockIp = z.infer<typeof ContainBlockIp>;

/** Remove a user's console password. Irreversible, so it has no rollback and needs approval. */
export const ContainRemoveLoginProfile = stepCommand(
  'contain.remove-login-profile',
  z.object({ userName: UserName }),
);
/** @see ContainRemoveLoginProfile */
export type ContainRemoveLoginProfile = z.infer<typeof ContainRemoveLoginProfile>;
