import type { CallRecord } from './call-mapping.js';
import type { CleanRoomValues } from './checks.js';
import type { CfnTemplate, createResolver } from './template-resolver.js';

/** How the system stack configures one service: its container's variables (resolved) and secrets. */
export interface ServiceSettings {
  readonly environment: Readonly<Record<string, string>>;
  /** Names of the variables ECS fills from Secrets Manager (their values are not in the template). */
  readonly secrets: ReadonlySet<string>;
}

/**
 * The settings of the task definition that runs as `taskRoleArn` (one container per service), or
 * undefined when no task definition of the template runs as that role.
 */
export function serviceSettings(
  template: CfnTemplate,
  resolver: ReturnType<typeof createResolver>,
  taskRoleArn: string,
): ServiceSettings | undefined {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const properties = resource.Properties ?? {};
    if (properties.TaskRoleArn === undefined || resolver.resolve(properties.TaskRoleArn) !== taskRoleArn)
      continue;
    const containers = (properties.ContainerDefinitions ?? []) as {
      Environment?: { Name: string; Value: unknown }[];
      Secrets?: { Name: string }[];
    }[];
    return {
      environment: Object.fromEntries(
        containers.flatMap((container) =>
          (container.Environment ?? []).map((variable) => [
            variable.Name,
            String(resolver.resolve(variable.Value)),
          ]),
        ),
      ),
      secrets: new Set(containers.flatMap((container) => (container.Secrets ?? []).map((s) => s.Name))),
    };
  }
  return undefined;
}

/** What the emulator's configuration of a test says differently from the stack's. */
export interface StackBindings {
  /** The member role a service assumes (IR_MEMBER_ROLE_NAME as the stack sets it). */
  readonly memberRoleName: (service: string) => string | undefined;
  /** The stack's configuration of a service; undefined for a service the stack does not run. */
  readonly settings: (service: string) => ServiceSettings | undefined;
  /** The member stack's `ExternalId` parameter: what IR_MEMBER_ROLE_EXTERNAL_ID holds when deployed. */
  readonly memberExternalId: string;
  /** The signing key's alias: a raw key id given to Sign/Verify/GetPublicKey stands for it. */
  readonly signingKeyAlias?: string | undefined;
}

/**
 * The record as the service would make it with the stack's configuration instead of the test's. Each
 * field replaced is one the service takes from that configuration alone:
 * - AssumeRole: the role is IR_MEMBER_ROLE_NAME; the external id is IR_MEMBER_ROLE_EXTERNAL_ID,
 *   sent only when the stack gives the service that secret (the call log never keeps it); the session
 *   name, when the log did not keep it, is the runtime's `roleSessionName` without an incident
 *   (`ir-<service>`: every session name the runtime builds starts `ir-`).
 * - KMS Sign/Verify/GetPublicKey name the signing key (IR_EVIDENCE_SIGNING_KEY).
 * - S3 Object Lock mode is IR_EVIDENCE_LOCK_MODE (tests use GOVERNANCE so they can clean up).
 * - EC2 `KmsKeyId` is IR_FORENSICS_KMS_KEY: forensics copies snapshots with that key only (tests
 *   configure a key of their own, e.g. a fixed one in account 000000000000 on the emulator).
 * - ModifySnapshotAttribute shares with IR_FORENSICS_ACCOUNT_ID only (the stack's: the security
 *   account; a test's is an account of its own).
 * - SNS Publish goes to IR_SNS_TOPIC_ARN only.
 */
export function bindToStack(record: CallRecord, bindings: StackBindings): CallRecord {
  const input = { ...record.input };
  const environment = bindings.settings(record.service)?.environment ?? {};
  if (record.client === 'sts' && record.operation === 'AssumeRole' && typeof input.RoleArn === 'string') {
    const name = bindings.memberRoleName(record.service);
    if (name) input.RoleArn = input.RoleArn.replace(/:role\/.*$/, `:role/${name}`);
    if (bindings.settings(record.service)?.secrets.has('IR_MEMBER_ROLE_EXTERNAL_ID'))
      input.ExternalId = bindings.memberExternalId;
    else delete input.ExternalId;
    if (typeof input.RoleSessionName !== 'string') input.RoleSessionName = `ir-${record.service}`;
  }
  const roleArn =
    record.principal === 'member' && record.roleArn
      ? record.roleArn.replace(/:role\/.*$/, `:role/${bindings.memberRoleName(record.service) ?? ''}`)
      : record.roleArn;
  if (
    record.client === 'kms' &&
    ['Sign', 'Verify', 'GetPublicKey'].includes(record.operation) &&
    bindings.signingKeyAlias &&
    typeof input.KeyId === 'string' &&
    !input.KeyId.includes('alias/')
  ) {
    input.KeyId = bindings.signingKeyAlias;
  }
  const lockMode = environment.IR_EVIDENCE_LOCK_MODE;
  if (record.client === 's3' && typeof input.ObjectLockMode === 'string' && lockMode)
    input.ObjectLockMode = lockMode;
  const snapshotKey = environment.IR_FORENSICS_KMS_KEY;
  if (record.client === 'ec2' && typeof input.KmsKeyId === 'string' && snapshotKey)
    input.KmsKeyId = snapshotKey;
  const forensicsAccount = environment.IR_FORENSICS_ACCOUNT_ID;
  if (record.client === 'ec2' && record.operation === 'ModifySnapshotAttribute' && forensicsAccount) {
    if (Array.isArray(input.UserIds)) input.UserIds = input.UserIds.map(() => forensicsAccount);
    const permission = input.CreateVolumePermission as { Add?: unknown } | undefined;
    if (Array.isArray(permission?.Add)) {
      input.CreateVolumePermission = {
        ...permission,
        Add: (permission.Add as Record<string, unknown>[]).map((add) =>
          add.UserId === undefined ? add : { ...add, UserId: forensicsAccount },
        ),
      };
    }
  }
  const topic = environment.IR_SNS_TOPIC_ARN;
  if (record.client === 'sns' && record.operation === 'Publish' && topic) input.TopicArn = topic;
  return { ...record, input, ...(roleArn ? { roleArn } : {}) };
}

/**
 * The emulator's clean-room launch template, subnet, group, image and profile (the forensics config of
 * the test) stand for the stack's: the service launches only with what it is configured with. The dry
 * run sends the launch's own request (services/forensics/src/clean-room/dry-run.ts), so it is bound
 * the same way.
 */
export function bindCleanRoom(record: CallRecord, values: CleanRoomValues | undefined): CallRecord {
  if (!values || record.operation !== 'RunInstances' || record.principal !== 'task') return record;
  const input = { ...record.input };
  // The stack always configures IR_FORENSICS_LAUNCH_TEMPLATE, and its template carries the profile.
  input.LaunchTemplate = { LaunchTemplateId: values.launchTemplateId };
  input.IamInstanceProfile = { Name: values.instanceProfileName };
  if (input.ImageId) input.ImageId = values.imageId;
  if (input.SubnetId) input.SubnetId = values.subnetId;
  if (input.SecurityGroupIds) input.SecurityGroupIds = [values.securityGroupId];
  if (Array.isArray(input.NetworkInterfaces)) {
    input.NetworkInterfaces = (input.NetworkInterfaces as Record<string, unknown>[]).map((nic) => ({
      ...nic,
      SubnetId: values.subnetId,
      Groups: [values.securityGroupId],
    }));
  }
  return { ...record, input };
}
