import { Aws, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  MEMBER_ACTING_SERVICES,
  type MemberActingService,
  memberRoleNameOf,
  taskRoleNameOf,
} from './config.js';
import { memberEvidenceGuardStatements } from './iam/evidence-guard.js';
import { OwnedSsmDocuments } from './constructs/ssm-documents.js';
import { forensicsActStatements } from './iam/forensics-policy.js';
import { EXISTING_RESOURCE_TAG_KEYS, guardStatements } from './iam/guard-statements.js';
import { isolatorStatements } from './iam/isolator-policy.js';
import { shareEvidenceSnapshots } from './iam/share-snapshots.js';

/** Stack properties; every account-specific value is a CloudFormation parameter instead. */
export interface MemberAccountStackProps extends StackProps {
  /**
   * The AWS Organizations id of the system (`organizationId`): set, each role's trust also requires
   * the caller to belong to it (`aws:PrincipalOrgID`). The same for every member, so not a parameter.
   */
  readonly organizationId?: string | undefined;
}

/** Services whose task roles assume a response role here, each its own: the two that act on resources. */
export const MEMBER_ROLE_TRUSTED_SERVICES = MEMBER_ACTING_SERVICES;

/**
 * The response roles in a member account, for CloudFormation StackSets: no assets, no look-ups, every
 * account-specific value a parameter. One role per acting service (TRAPS 20), named
 * `<prefix>-isolator-response` and `<prefix>-forensics-response` (`IR_MEMBER_ROLE_NAME` of each):
 * each is trusted only by its own service's task role in the security account (by principal ARN, so
 * redeploying the task role does not break the trust), with the external id, only for
 * `ir-<incidentId>` session names and, with an organization id, only from inside the organization.
 * Each holds its service's act statements (the same functions the system stack attaches to the task
 * roles, deploy/src/iam, without the evidence-store access only the security account has), and
 * explicit denies: no change to either response role or the StackSet roles, no new credentials, no
 * evidence destruction, no forged guard tags, nothing on the security account's buckets, no role
 * chaining.
 */
export class MemberAccountStack extends Stack {
  readonly roles: Readonly<Record<MemberActingService, iam.Role>>;

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
    const prefix = new CfnParameter(this, 'SystemPrefix', {
      type: 'String',
      default: 'ir',
      allowedPattern: '^[a-z0-9][a-z0-9-]{0,29}$',
      description:
        'IR_PREFIX of the system: names its task roles (<prefix>-<service>-task) and these roles (<prefix>-<service>-response)',
    });
    const evidenceKeyId = new CfnParameter(this, 'EvidenceKeyId', {
      type: 'String',
      allowedPattern: '^(mrk-)?[0-9a-f-]{32,36}$',
      description:
        'Key id of the evidence key in the security account (stack output EvidenceKeyArn, last part)',
    });
    const evidenceBucketName = new CfnParameter(this, 'EvidenceBucketName', {
      type: 'String',
      // No dots: the name goes into the CaptureMemory document's upload-URL pattern unescaped.
      allowedPattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$',
      description:
        'The evidence bucket in the security account (stack output EvidenceBucketName): the only place CaptureMemory uploads to',
    });

    // biome-ignore lint/suspicious/noTemplateCurlyInString: an Fn::Sub variable, resolved by CloudFormation
    const systemPrefix = '${SystemPrefix}';
    const variables = {
      SecurityAccountId: securityAccountId.valueAsString,
      SystemPrefix: prefix.valueAsString,
    };
    const roleNameOf = (service: MemberActingService) =>
      Fn.sub(memberRoleNameOf(systemPrefix, service), { SystemPrefix: prefix.valueAsString });
    const taskRoleArnOf = (service: MemberActingService) =>
      Fn.sub(
        `arn:\${AWS::Partition}:iam::\${SecurityAccountId}:role/${taskRoleNameOf(systemPrefix, service)}`,
        variables,
      );
    const roleArnIn = (name: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}`;
    const protectedRoleArns = [
      ...MEMBER_ACTING_SERVICES.map((service) => roleArnIn(roleNameOf(service))),
      roleArnIn('AWSCloudFormationStackSetExecutionRole'),
      roleArnIn('stacksets-exec-*'),
      roleArnIn('OrganizationAccountAccessRole'),
    ];

    const roleFor = (service: MemberActingService, description: string) =>
      new iam.Role(this, `${service === 'isolator' ? 'Isolator' : 'Forensics'}ResponseRole`, {
        roleName: roleNameOf(service),
        description,
        assumedBy: new iam.AccountPrincipal(securityAccountId.valueAsString).withConditions({
          StringEquals: {
            'sts:ExternalId': externalId.valueAsString,
            ...(props.organizationId ? { 'aws:PrincipalOrgID': props.organizationId } : {}),
          },
          ArnEquals: { 'aws:PrincipalArn': taskRoleArnOf(service) },
          StringLike: { 'sts:RoleSessionName': 'ir-*' },
        }),
      });
    this.roles = {
      isolator: roleFor(
        'isolator',
        'Assumed by the incident-response isolator to contain resources in this account',
      ),
      forensics: roleFor(
        'forensics',
        'Assumed by the incident-response forensics service to collect evidence in this account',
      ),
    };

    new iam.ManagedPolicy(this, 'IsolatorActions', {
      description: 'Containment and rollback actions of the isolator',
      statements: isolatorStatements(Aws.PARTITION),
      roles: [this.roles.isolator],
    });
    new iam.ManagedPolicy(this, 'ForensicsActions', {
      description: 'Evidence collection actions of the forensics service',
      statements: forensicsActStatements({
        partition: Aws.PARTITION,
        evidenceKeyId: evidenceKeyId.valueAsString,
        prefix: prefix.valueAsString,
      }),
      roles: [this.roles.forensics],
    });
    // The documents forensics may run here. Created in each member account (by this StackSet) rather
    // than shared from the security account: SendCommand by name resolves in the instance's account,
    // a shared document would be one the security account can change under every member, and CFN
    // cannot share documents.
    new OwnedSsmDocuments(this, 'SsmDocuments', {
      prefix: prefix.valueAsString,
      evidenceBucketName: evidenceBucketName.valueAsString,
    });

    const denyChaining = new iam.PolicyStatement({
      sid: 'DenyRoleChaining',
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
      resources: ['*'],
    });
    for (const service of MEMBER_ACTING_SERVICES) {
      new iam.ManagedPolicy(this, `${service === 'isolator' ? 'Isolator' : 'Forensics'}Guard`, {
        description:
          'Explicit denies: no changes to the response roles or the StackSet roles, no new credentials or roles, no evidence destruction, no forged ir: tags, nothing on the security account buckets, no role chaining',
        statements: [
          ...guardStatements({
            protectedRoleArns,
            existingResourceTagKeys: EXISTING_RESOURCE_TAG_KEYS[service],
            objectVersionDelete: service === 'isolator',
          }),
          ...memberEvidenceGuardStatements(Aws.PARTITION, securityAccountId.valueAsString),
          denyChaining,
        ],
        roles: [this.roles[service]],
      });
    }

    // Evidence snapshot copies are shared with the security account only, so they survive this account.
    for (const statement of shareEvidenceSnapshots(securityAccountId.valueAsString))
      this.roles.forensics.addToPrincipalPolicy(statement);

    new CfnOutput(this, 'IsolatorResponseRoleArn', { value: this.roles.isolator.roleArn });
    new CfnOutput(this, 'ForensicsResponseRoleArn', { value: this.roles.forensics.roleArn });
  }
}
