import { Aws, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { taskRoleNameOf } from './config.js';
import { forensicsActStatements } from './iam/forensics-policy.js';
import { guardStatements } from './iam/guard-statements.js';
import { isolatorStatements } from './iam/isolator-policy.js';
import { shareEvidenceSnapshots } from './iam/share-snapshots.js';

/** Stack properties; every account-specific value is a CloudFormation parameter instead. */
export type MemberAccountStackProps = StackProps;

/** Services whose task roles may assume the response role: the two that act on resources. */
export const MEMBER_ROLE_TRUSTED_SERVICES = ['isolator', 'forensics'] as const;

/**
 * The response role in a member account, for CloudFormation StackSets: no assets, no look-ups, every
 * account-specific value a parameter. Trusted only by the isolator's and forensics' task roles in the
 * security account (by principal ARN, so redeploying those roles does not break the trust), with the
 * external id, and only for `ir-<incidentId>` session names. Its permissions are the two services'
 * policy documents; explicit denies keep it from changing its own or any system role, creating
 * credentials, destroying evidence, or chaining into other roles. The act statements are the same
 * functions the system stack attaches to the task roles (deploy/src/iam), without the evidence-store
 * access, which only the security account has.
 */
export class MemberAccountStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps = {}) {
    super(scope, id, props);
    const securityAccountId = new CfnParameter(this, 'SecurityAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The account the incident-response system runs in (GuardDuty/Security Hub administrator)',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      description: 'The external id the system presents (IR_MEMBER_ROLE_EXTERNAL_ID), at least 16 characters',
    });
    const roleName = new CfnParameter(this, 'RoleName', {
      type: 'String',
      default: 'ir-response',
      allowedPattern: '^[\\w+=,.@-]{1,64}$',
      description: 'Name of the response role; must equal IR_MEMBER_ROLE_NAME in the system',
    });
    const prefix = new CfnParameter(this, 'SystemPrefix', {
      type: 'String',
      default: 'ir',
      allowedPattern: '^[a-z0-9][a-z0-9-]{0,29}$',
      description:
        'IR_PREFIX of the system: names its task roles (<prefix>-isolator-task, <prefix>-forensics-task)',
    });

    const evidenceKeyId = new CfnParameter(this, 'EvidenceKeyId', {
      type: 'String',
      allowedPattern: '^(mrk-)?[0-9a-f-]{32,36}$',
      description:
        'Key id of the evidence key in the security account (stack output EvidenceKeyArn, last part)',
    });

    const trustedRoleArns = MEMBER_ROLE_TRUSTED_SERVICES.map((service) =>
      Fn.sub(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an Fn::Sub variable, resolved by CloudFormation
        `arn:\${AWS::Partition}:iam::\${SecurityAccountId}:role/${taskRoleNameOf('${SystemPrefix}', service)}`,
        {
          SecurityAccountId: securityAccountId.valueAsString,
          SystemPrefix: prefix.valueAsString,
        },
      ),
    );
    const ownRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName.valueAsString}`;

    this.role = new iam.Role(this, 'ResponseRole', {
      roleName: roleName.valueAsString,
      description: 'Assumed by the incident-response system to contain and collect evidence in this account',
      assumedBy: new iam.AccountPrincipal(securityAccountId.valueAsString).withConditions({
        StringEquals: { 'sts:ExternalId': externalId.valueAsString },
        ArnEquals: { 'aws:PrincipalArn': trustedRoleArns },
        StringLike: { 'sts:RoleSessionName': 'ir-*' },
      }),
    });

    new iam.ManagedPolicy(this, 'IsolatorActions', {
      description: 'Containment and rollback actions of the isolator',
      statements: isolatorStatements(Aws.PARTITION),
      roles: [this.role],
    });
    new iam.ManagedPolicy(this, 'ForensicsActions', {
      description: 'Evidence collection actions of the forensics service',
      statements: forensicsActStatements({
        partition: Aws.PARTITION,
        evidenceKeyId: evidenceKeyId.valueAsString,
      }),
      roles: [this.role],
    });
    const evidenceKeyUse = new iam.PolicyStatement({
      sid: 'CopySnapshotsWithEvidenceKey',
      actions: [
        'kms:CreateGrant',
        'kms:DescribeKey',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKeyWithoutPlaintext',
      ],
      resources: [
        `arn:${Aws.PARTITION}:kms:*:${securityAccountId.valueAsString}:key/${evidenceKeyId.valueAsString}`,
      ],
    });
    const denyChaining = new iam.PolicyStatement({
      sid: 'DenyRoleChaining',
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
      resources: ['*'],
    });
    new iam.ManagedPolicy(this, 'Guard', {
      description:
        'Explicit denies: no changes to this role or the StackSet roles, no new credentials or roles, no evidence destruction, no role chaining',
      statements: [
        ...guardStatements([
          ownRoleArn,
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/AWSCloudFormationStackSetExecutionRole`,
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/stacksets-exec-*`,
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/OrganizationAccountAccessRole`,
        ]),
        denyChaining,
      ],
      roles: [this.role],
    });

    this.role.addToPrincipalPolicy(evidenceKeyUse);
    // Evidence snapshot copies are shared with the security account only, so they survive this account.
    for (const statement of shareEvidenceSnapshots(securityAccountId.valueAsString))
      this.role.addToPrincipalPolicy(statement);

    new CfnOutput(this, 'ResponseRoleArn', { value: this.role.roleArn });
  }
}
