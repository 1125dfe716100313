import { randomBytes } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ResourceSetupError } from '../errors.js';
import { tagList, uniqueName } from './names.js';

export interface CreateIamUserOptions {
  readonly iam: IAMClient;
  readonly userName?: string;
  /** Active access keys to create (IAM allows at most 2). */
  readonly accessKeys?: number;
  /** Give the user a console password (random, reset required). */
  readonly loginProfile?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreatedIamUser {
  readonly userName: string;
  readonly arn: string;
  readonly accessKeyIds: string[];
}

/** An IAM user shaped like a compromised identity: keys to deactivate, a console login to remove. */
export async function createIamUser(options: CreateIamUserOptions): Promise<CreatedIamUser> {
  const { iam, accessKeys = 1, loginProfile = false, tags } = options;
  const userName = options.userName ?? uniqueName('ir-test-user');
  const { User: user } = await iam.send(
    new CreateUserCommand({ UserName: userName, ...(tags ? { Tags: tagList(tags) } : {}) }),
  );
  if (!user?.Arn) throw new ResourceSetupError(`CreateUser returned no ARN for ${userName}`);
  const accessKeyIds: string[] = [];
  for (let i = 0; i < accessKeys; i++) {
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    if (!key?.AccessKeyId) throw new ResourceSetupError(`CreateAccessKey returned no key for ${userName}`);
    accessKeyIds.push(key.AccessKeyId);
  }
  if (loginProfile) {
    await iam.send(
      new CreateLoginProfileCommand({
        UserName: userName,
        Password: `Ir-${randomBytes(18).toString('base64url')}-9a`,
        PasswordResetRequired: true,
      }),
    );
  }
  return { userName, arn: user.Arn, accessKeyIds };
}

export interface CreateRoleOptions {
  readonly iam: IAMClient;
  readonly roleName?: string;
  readonly path?: string;
  /** Principal allowed to assume the role; EC2 by default. */
  readonly trustedService?: string;
  /**
   * Create a service-linked role instead (which containment must never touch): `true` for Auto
   * Scaling's, or the service's principal. Its name and path are then chosen by IAM.
   */
  readonly serviceLinked?: boolean | string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreatedRole {
  readonly roleName: string;
  readonly arn: string;
}

/** An IAM role, ordinary or service-linked. */
export async function createRole(options: CreateRoleOptions): Promise<CreatedRole> {
  const { iam, serviceLinked = false, tags } = options;
  if (serviceLinked) {
    const service = serviceLinked === true ? 'autoscaling.amazonaws.com' : serviceLinked;
    const { Role: role } = await iam.send(
      new CreateServiceLinkedRoleCommand({
        AWSServiceName: service,
        // A suffix keeps several tests in one account from colliding on the fixed role name.
        CustomSuffix: randomBytes(4).toString('hex'),
      }),
    );
    if (!role?.RoleName || !role.Arn)
      throw new ResourceSetupError(`CreateServiceLinkedRole failed for ${service}`);
    return { roleName: role.RoleName, arn: role.Arn };
  }
  const roleName = options.roleName ?? uniqueName('ir-test-role');
  const trustPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: options.trustedService ?? 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  const { Role: role } = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      Path: options.path ?? '/',
      AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
      ...(tags ? { Tags: tagList(tags) } : {}),
    }),
  );
  if (!role?.Arn) throw new ResourceSetupError(`CreateRole returned no ARN for ${roleName}`);
  return { roleName, arn: role.Arn };
}
