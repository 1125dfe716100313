/**
 * Every shipped playbook from finding to final state: the five services as separate processes
 * against the emulator, findings sent to the findings queue as EventBridge delivers them, AWS state
 * and evidence read back, notifications received by local receivers (signed webhook and SNS → SQS).
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetLoginProfileCommand } from '@aws-sdk/client-iam';
import { DescribeNetworkAclsCommand } from '@aws-sdk/client-ec2';
import { GetBucketPolicyCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import {
  createBucket,
  createIamUser,
  createRole,
  eventually,
  findingTypes,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  nativeFinding,
  securityHubImportedEvent,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { groupRuleCounts, incidentSnapshots, readInstanceState } from '../support/instance-state.js';
import { histogramOf, scrapeMetrics } from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';

const now = () => new Date().toISOString();

describe('the shipped playbooks, end to end', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await systemInIsolatedAccount();
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  const where = () => ({ accountId: system.accountId, region: system.region });

  it('ec2-compromise: a 2-ENI instance in an ASG behind a target group is sealed, isolated, verified and notified', async () => {
    // Prepare
    const instance = await createTargetInstance(system.clients, { eniCount: 2, scaled: true });
    const before = await readInstanceState(system.clients, instance.instanceId, instance.targetGroupArn);
    const finding = instanceFinding(instance, { ...where(), type: findingTypes.c2Dns, severity: 8 });

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(
      system.api,
      String(finding.detail.id),
      (v) => v.incident.status === 'completed',
    );

    // Assess: the incident, as the coordinator recorded it
    expect(view.incident.playbookId).toBe('ec2-compromise');
    expect(stepOf(view, 'contain.ec2-instance').status).toBe('succeeded');
    expect(stepOf(view, 'evidence.seal').status).toBe('succeeded');
    expect(view.incident.firstContainedAt).toBeDefined();
    expect(view.incident.evidenceSealedAt).toBeDefined();
    // Assess: the instance, read back from the emulator
    const after = await readInstanceState(system.clients, instance.instanceId, instance.targetGroupArn);
    expect(before.autoScalingGroup).not.toBeNull();
    expect(before.inTargetGroup).toBe(true);
    expect(after.autoScalingGroup).toBeNull();
    expect(after.inTargetGroup).toBe(false);
    expect(after.terminationProtection).toBe(true);
    expect(after.stopProtection).toBe(true);
    expect(after.shutdownBehavior).toBe('stop');
    expect(Object.values(after.deleteOnTermination).every((flag) => flag === false)).toBe(true);
    expect(Object.keys(after.eniGroups).sort()).toEqual([...instance.networkInterfaceIds].sort());
    const groups = new Set(Object.values(after.eniGroups).flat());
    expect(groups.size).toBe(1);
    const rules = await groupRuleCounts(system.clients, [...groups]);
    expect(Object.values(rules).map((group) => group.egress)).toEqual([0]);
    // Assess: evidence sealed and verifiable, snapshots taken
    expect((await incidentSnapshots(system.clients, view.incident.incidentId)).length).toBeGreaterThanOrEqual(
      1,
    );
    const report = await verifyEvidence({
      s3: system.clients.s3,
      bucket: system.boot.bucketName,
      incidentId: view.incident.incidentId,
      signing: { kms: system.clients.kms, keyId: system.boot.signingKeyArn },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Assess: people were told, through both local receivers, with a valid webhook signature
    await eventually(
      () => {
        const stages = new Set(
          system.receivers.of(view.incident.incidentId).map((n) => `${n.channel}:${n.stage}`),
        );
        return ['opened', 'contained', 'evidence-sealed'].every(
          (stage) => stages.has(`webhook:${stage}`) && stages.has(`sns:${stage}`),
        );
      },
      30_000,
      'notifications opened, contained, evidence-sealed on webhook and SNS',
    );
    const webhooks = system.receivers.of(view.incident.incidentId).filter((n) => n.channel === 'webhook');
    expect(webhooks.every((n) => n.signatureValid)).toBe(true);
    // Assess: MTTI and MTTE recorded by the coordinator
    const metrics = await scrapeMetrics(system.url('response-coordinator'));
    expect(histogramOf(metrics, 'ir_time_to_isolate_seconds').count).toBeGreaterThanOrEqual(1);
    expect(histogramOf(metrics, 'ir_time_to_evidence_seconds').count).toBeGreaterThanOrEqual(1);
  });

  it('instance-credential-exfiltration: the role sessions issued before now are revoked', async () => {
    // Prepare
    const role = await createRole({ iam: system.clients.iam, trustedService: 'ec2.amazonaws.com' });
    const finding = guardDutyApiFinding({
      ...where(),
      type: findingTypes.credentialExfiltration,
      severity: 8,
      createdAt: now(),
      updatedAt: now(),
      resource: { kind: 'access-key', userType: 'AssumedRole', userName: role.roleName },
    });

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(
      system.api,
      String(finding.Id),
      (v) => v.incident.status === 'completed',
    );

    // Assess
    expect(view.incident.playbookId).toBe('instance-credential-exfiltration');
    expect(view.incident.notes.join(' ')).toContain(role.roleName);
    // The revocation is a managed policy under /ir-quarantine/, attached to the role (no inline policy).
    const attached = await system.clients.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: role.roleName }),
    );
    const policyArn = attached.AttachedPolicies?.[0]?.PolicyArn ?? '';
    expect(attached.AttachedPolicies).toHaveLength(1);
    expect(policyArn).toMatch(
      new RegExp(`:policy/ir-quarantine/ir-quarantine-${view.incident.incidentId}-role-${role.roleName}$`),
    );
    const policy = await system.clients.iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
    const version = await system.clients.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy.Policy?.DefaultVersionId }),
    );
    const document = decodeURIComponent(version.PolicyVersion?.Document ?? '');
    expect(document).toContain('aws:TokenIssueTime');
    expect(document).toContain('Deny');
    const inline = await system.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }));
    expect(inline.PolicyNames).toEqual([]);
  });

  it('iam-credential-compromise: the user is quarantined, its keys inactive, the password removal waits for approval', async () => {
    // Prepare
    const user = await createIamUser({ iam: system.clients.iam, accessKeys: 2, loginProfile: true });
    const finding = guardDutyEventBridgeFinding({
      ...where(),
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      severity: 8,
      createdAt: now(),
      updatedAt: now(),
      resource: {
        kind: 'access-key',
        userType: 'IAMUser',
        userName: user.userName,
        accessKeyId: user.accessKeyIds[0],
      },
    });

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(system.api, String(finding.detail.id));

    // Assess
    expect(view.incident.playbookId).toBe('iam-credential-compromise');
    expect(stepOf(view, 'contain.iam-user').status).toBe('succeeded');
    expect(stepOf(view, 'contain.access-key').status).toBe('succeeded');
    expect(stepOf(view, 'contain.remove-login-profile').status).toBe('awaiting-approval');
    const keys = await system.clients.iam.send(new ListAccessKeysCommand({ UserName: user.userName }));
    expect(keys.AccessKeyMetadata?.map((key) => key.Status)).toEqual(['Inactive', 'Inactive']);
    const attached = await system.clients.iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: user.userName }),
    );
    expect(attached.AttachedPolicies?.map((policy) => policy.PolicyArn)).toEqual([
      expect.stringMatching(
        new RegExp(`:policy/ir-quarantine/ir-quarantine-${view.incident.incidentId}-user-${user.userName}$`),
      ),
    ]);
    const inline = await system.clients.iam.send(new ListUserPoliciesCommand({ UserName: user.userName }));
    expect(inline.PolicyNames).toEqual([]);
    const profile = await system.clients.iam.send(new GetLoginProfileCommand({ UserName: user.userName }));
    expect(profile.LoginProfile?.UserName).toBe(user.userName);
  });

  it('s3-exposure: a public bucket is locked down, its previous settings recorded', async () => {
    // Prepare
    const bucket = await createBucket({
      s3: system.clients.s3,
      publicAccessBlock: {
        BlockPublicAcls: false,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    });
    const event = securityHubImportedEvent({
      ...where(),
      findings: 1,
      type: findingTypes.s3AnonymousAccess,
      severity: 8,
      createdAt: now(),
      updatedAt: now(),
      resource: { kind: 's3', buckets: [bucket.bucketName] },
    });
    const findingId = String((event.detail.findings[0] as { Id: string }).Id);

    // Act
    await system.sendFinding(event);
    const view = await waitForIncidentOf(system.api, findingId, (v) => v.incident.status === 'completed');

    // Assess
    expect(view.incident.playbookId).toBe('s3-exposure');
    expect(stepOf(view, 'contain.s3-bucket').preState).toBeDefined();
    const block = await system.clients.s3.send(
      new GetPublicAccessBlockCommand({ Bucket: bucket.bucketName }),
    );
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const policy = await system.clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket.bucketName }));
    expect(policy.Policy).toContain('Deny');
  });

  it('malicious-ip: evidence is sealed and the network ACL block waits for an operator', async () => {
    // Prepare
    const instance = await createTargetInstance(system.clients);
    const finding = instanceFinding(instance, {
      ...where(),
      type: findingTypes.portProbe,
      severity: 8,
      remoteIp: '203.0.113.77',
    });

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(system.api, String(finding.detail.id));

    // Assess
    expect(view.incident.playbookId).toBe('malicious-ip');
    expect(stepOf(view, 'contain.block-ip').status).toBe('awaiting-approval');
    expect(stepOf(view, 'evidence.seal').status).toBe('succeeded');
    const acls = await system.clients.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [instance.subnetIds[0] ?? ''] }],
      }),
    );
    const cidrs = acls.NetworkAcls?.flatMap((acl) => acl.Entries ?? []).map((entry) => entry.CidrBlock);
    expect(cidrs).not.toContain('203.0.113.77/32');
    await eventually(
      () => system.receivers.of(view.incident.incidentId).some((n) => n.stage === 'approval-needed'),
      30_000,
      'an approval-needed notification',
    );
  });

  it('generic: an unknown finding type is recorded, sealed, tagged and notified, never contained', async () => {
    // Prepare
    const instance = await createTargetInstance(system.clients);
    const before = await readInstanceState(system.clients, instance.instanceId);
    const finding = nativeFinding({
      ...where(),
      type: 'Policy:EC2/CustomDetectorFinding',
      severity: 5,
      createdAt: now(),
      updatedAt: now(),
      resource: { kind: 'instance', instanceId: instance.instanceId, enis: [] },
    });

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(system.api, finding.id, (v) => v.incident.status === 'completed');

    // Assess
    expect(view.incident.playbookId).toBe('generic');
    expect(view.steps.some((step) => step.containment)).toBe(false);
    // MEDIUM: the instance is tagged with the incident (contain.tag-incident), nothing else changes.
    expect(stepOf(view, 'contain.tag-incident').status).toBe('succeeded');
    expect(await readInstanceState(system.clients, instance.instanceId)).toEqual({
      ...before,
      irTags: { ...before.irTags, 'ir:incident-id': view.incident.incidentId, 'ir:severity': 'MEDIUM' },
    });
    const report = await verifyEvidence({
      s3: system.clients.s3,
      bucket: system.boot.bucketName,
      incidentId: view.incident.incidentId,
      signing: { kms: system.clients.kms, keyId: system.boot.signingKeyArn },
    });
    expect(report.ok).toBe(true);
  });

  it('no service exited on its own during the run, and all are healthy', async () => {
    // Prepare: the tests above ran against this system
    // Act
    const problems = await system.health();
    // Assess
    expect(system.unexpectedExits).toEqual([]);
    expect(problems).toEqual([]);
  });
});
