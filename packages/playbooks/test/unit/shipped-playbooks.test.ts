import type { Finding, SeverityBand } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IncidentPlan, loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { assumedRole, bands, bucket, iamUser, instance, rootUser, testFinding } from './findings.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

const audienceOf: Record<SeverityBand, string> = {
  LOW: 'low-priority',
  MEDIUM: 'team',
  HIGH: 'team',
  CRITICAL: 'on-call',
};

interface MatrixCase {
  name: string;
  playbookId: string;
  finding: (band: SeverityBand) => Finding;
  /** Step ids per band; HIGH and CRITICAL plan the same steps (CRITICAL pages on-call instead). */
  expected: { LOW: string[]; MEDIUM: string[]; HIGH: string[]; CRITICAL?: string[] };
  /**
   * Step ids planned at LOW and MEDIUM only: the severity matrix's "tag" (`contain.tag-incident`),
   * which HIGH and above do not plan (their containment tags the resource itself).
   */
  tagged?: string[];
}

const ALICE = 'alice.AKIAEXAMPLEALICE';
const ROLE = 'app-instance-role';
const ROOT = 'AKIAEXAMPLEROOT';

const cases: MatrixCase[] = [
  {
    name: 'ec2-compromise (C&C activity)',
    playbookId: 'ec2-compromise',
    finding: (band) =>
      testFinding({ type: 'Backdoor:EC2/C&CActivity.B!DNS', band, resources: [instance('i-0aaa')] }),
    expected: {
      LOW: ['capture-instance:i-0aaa', 'notify-opened', 'seal-evidence'],
      MEDIUM: ['collect-volatile:i-0aaa', 'notify-evidence-sealed', 'snapshot-volumes:i-0aaa'],
      HIGH: ['isolate-instance:i-0aaa', 'notify-contained'],
      // The clean room (approval-gated) only for CRITICAL: see ec2-compromise.yaml.
      CRITICAL: ['clean-room:i-0aaa', 'notify-investigated'],
    },
    tagged: ['tag-instance:i-0aaa'],
  },
  {
    name: 'iam-credential-compromise (IAM user)',
    playbookId: 'iam-credential-compromise',
    finding: (band) =>
      testFinding({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', band, resources: [iamUser()] }),
    expected: {
      LOW: [`collect-iam:${ALICE}`, 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [
        `deactivate-key:${ALICE}`,
        `notify-contained:${ALICE}`,
        `quarantine-user:${ALICE}`,
        `remove-login-profile:${ALICE}`,
      ],
    },
    tagged: [`tag-user:${ALICE}`],
  },
  {
    name: 'iam-credential-compromise (assumed role)',
    playbookId: 'iam-credential-compromise',
    finding: (band) =>
      testFinding({ type: 'Discovery:IAMUser/AnomalousBehavior', band, resources: [assumedRole(ROLE)] }),
    expected: {
      LOW: [`collect-iam:${ROLE}`, 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [`notify-contained:${ROLE}`, `revoke-role-sessions:${ROLE}`],
    },
    tagged: [`tag-role:${ROLE}`],
  },
  {
    name: 'iam-credential-compromise (root user: escalated, never contained)',
    playbookId: 'iam-credential-compromise',
    finding: (band) =>
      testFinding({ type: 'Policy:IAMUser/RootCredentialUsage', band, resources: [rootUser()] }),
    expected: {
      LOW: [`collect-iam:${ROOT}`, `notify-root-escalation:${ROOT}`, 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [],
    },
  },
  {
    name: 'instance-credential-exfiltration',
    playbookId: 'instance-credential-exfiltration',
    finding: (band) =>
      testFinding({
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        band,
        resources: [assumedRole(ROLE)],
      }),
    expected: {
      LOW: [`collect-iam:${ROLE}`, `notify-opened:${ROLE}`, 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [`notify-contained:${ROLE}`, `revoke-role-sessions:${ROLE}`],
    },
    tagged: [`tag-role:${ROLE}`],
  },
  {
    name: 's3-exposure (two buckets)',
    playbookId: 's3-exposure',
    finding: (band) =>
      testFinding({
        type: 'Policy:S3/BucketAnonymousAccessGranted',
        band,
        resources: [bucket('logs-b'), bucket('logs-a')],
      }),
    expected: {
      LOW: ['collect-s3:logs-a', 'collect-s3:logs-b', 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [
        'lock-down-bucket:logs-a',
        'lock-down-bucket:logs-b',
        'notify-contained:logs-a',
        'notify-contained:logs-b',
      ],
    },
    tagged: ['tag-bucket:logs-a', 'tag-bucket:logs-b'],
  },
  {
    name: 'malicious-ip (inbound probe, instance in two subnets)',
    playbookId: 'malicious-ip',
    finding: (band) =>
      testFinding({
        type: 'Recon:EC2/PortProbeUnprotectedPort',
        band,
        resources: [instance('i-0bbb', ['subnet-0bbb', 'subnet-0aaa'])],
        remoteIps: ['198.51.100.23'],
        direction: 'inbound',
      }),
    expected: {
      LOW: ['capture-instance:i-0bbb', 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [
        'block-ip:subnet-0aaa:198.51.100.23',
        'block-ip:subnet-0bbb:198.51.100.23',
        'notify-contained:198.51.100.23',
      ],
    },
    tagged: ['tag-instance:i-0bbb'],
  },
  {
    name: 'ec2-metadata-abuse (DNS rebinding to the metadata service)',
    playbookId: 'ec2-metadata-abuse',
    finding: (band) =>
      testFinding({
        type: 'UnauthorizedAccess:EC2/MetadataDNSRebind',
        band,
        resources: [instance('i-0ddd')],
      }),
    expected: {
      LOW: ['capture-instance:i-0ddd', 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: ['cut-metadata:i-0ddd', 'notify-contained'],
    },
    tagged: ['tag-instance:i-0ddd'],
  },
  {
    name: 'generic (an instance finding no other playbook takes)',
    playbookId: 'generic',
    finding: (band) =>
      testFinding({
        type: 'Recon:EC2/Portscan',
        band,
        resources: [instance('i-0ccc')],
        remoteIps: ['198.51.100.9'],
        direction: 'outbound',
      }),
    expected: {
      LOW: ['capture-instance:i-0ccc', 'notify-opened', 'seal-evidence'],
      MEDIUM: ['notify-evidence-sealed'],
      HIGH: [],
    },
    tagged: ['tag-instance:i-0ccc'],
  },
  {
    name: 'generic (a resource nothing can collect from)',
    playbookId: 'generic',
    finding: (band) =>
      testFinding({
        type: 'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
        band,
        resources: [{ kind: 'other', resourceType: 'EKSCluster', id: 'cluster-1' }],
      }),
    expected: { LOW: ['notify-opened'], MEDIUM: [], HIGH: [] },
  },
];

function expectedFor(matrixCase: MatrixCase, band: SeverityBand): string[] {
  const matrix = matrixCase.expected;
  const cumulative = [
    ...(band === 'LOW' || band === 'MEDIUM' ? (matrixCase.tagged ?? []) : []),
    ...matrix.LOW,
    ...(band === 'LOW' ? [] : matrix.MEDIUM),
    ...(band === 'HIGH' || band === 'CRITICAL' ? matrix.HIGH : []),
    ...(band === 'CRITICAL' ? (matrix.CRITICAL ?? []) : []),
  ];
  return cumulative.sort();
}

describe('planIncident with the shipped playbooks', () => {
  for (const matrixCase of cases) {
    for (const band of bands) {
      it(`${matrixCase.name} at ${band}: plans the response matrix's steps`, () => {
        // Prepare
        const finding = matrixCase.finding(band);

        // Act
        const plan = planIncident(finding, playbooks);

        // Assess
        expect(plan.playbookId).toBe(matrixCase.playbookId);
        expect(plan.severityBand).toBe(band);
        expect(stepIds(plan)).toEqual(expectedFor(matrixCase, band));
        expectWellFormed(plan);
        expect(plan.omitted).toEqual([]);
        for (const step of plan.steps.filter((s) => s.action === 'notify.incident')) {
          const details = step.params.details as { audience?: string };
          expect(details.audience, step.stepId).toBe(audienceOf[band]);
          expect(step.params.severityBand).toBe(band);
        }
        const containments = plan.steps.filter((step) => step.containment);
        if (band === 'LOW' || band === 'MEDIUM') expect(containments).toEqual([]);
      });
    }
  }
});

describe('shipped playbooks: evidence before containment', () => {
  function highPlan(index: number): IncidentPlan {
    const matrixCase = cases[index] as MatrixCase;
    return planIncident(matrixCase.finding('CRITICAL'), playbooks);
  }

  it('ec2-compromise: isolation waits for metadata capture, snapshot initiation and volatile collection', () => {
    // Prepare
    const finding = testFinding({
      type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      band: 'CRITICAL',
      resources: [instance('i-0aaa'), instance('i-0bbb')],
    });

    // Act
    const plan = planIncident(finding, playbooks);

    // Assess
    for (const id of ['i-0aaa', 'i-0bbb']) {
      const isolate = stepOf(plan, `isolate-instance:${id}`);
      expect(isolate.after).toEqual([
        `capture-instance:${id}`,
        `collect-volatile:${id}`,
        `snapshot-volumes:${id}`,
      ]);
      expect(isolate.approval).toBe('none');
    }
    expect(stepOf(plan, 'seal-evidence').after).toHaveLength(6);
    expect(ancestors(plan, 'seal-evidence').has('isolate-instance:i-0aaa')).toBe(false);
    expect(stepOf(plan, 'notify-contained').after).toEqual([
      'isolate-instance:i-0aaa',
      'isolate-instance:i-0bbb',
    ]);
  });

  it('ec2-compromise: the clean room waits for the snapshots and for approval, and is reported after', () => {
    // Prepare
    const finding = testFinding({
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      band: 'CRITICAL',
      resources: [instance('i-0aaa')],
    });

    // Act
    const plan = planIncident(finding, playbooks);

    // Assess
    const cleanRoom = stepOf(plan, 'clean-room:i-0aaa');
    expect(cleanRoom.after).toEqual(['snapshot-volumes:i-0aaa']);
    expect(cleanRoom.approval).toBe('required');
    expect(cleanRoom.params).toEqual({ instanceId: 'i-0aaa' });
    expect(stepOf(plan, 'notify-investigated').after).toEqual(['clean-room:i-0aaa']);
    expect(stepOf(plan, 'notify-investigated').params.stage).toBe('investigated');
  });

  it('every containment of every shipped playbook waits for an evidence step', () => {
    // Prepare
    const plans = cases.map((_, i) => highPlan(i));

    // Act
    const unguarded = plans.flatMap((plan) =>
      plan.steps
        .filter((step) => step.containment)
        .filter(
          (step) => ![...ancestors(plan, step.stepId)].some((id) => stepOf(plan, id).queue === 'forensics'),
        )
        .map((step) => `${plan.playbookId}/${step.stepId}`),
    );

    // Assess
    expect(plans.some((plan) => plan.steps.some((step) => step.containment))).toBe(true);
    expect(unguarded).toEqual([]);
  });

  it('iam-credential-compromise: the console password removal waits for approval and for the quarantine', () => {
    // Prepare
    const plan = highPlan(1);

    // Act
    const removal = stepOf(plan, `remove-login-profile:${ALICE}`);

    // Assess
    expect(removal.approval).toBe('required');
    expect(removal.after).toEqual([`quarantine-user:${ALICE}`]);
    expect(stepOf(plan, `deactivate-key:${ALICE}`).params).toEqual({
      userName: 'alice',
      accessKeyId: 'AKIAEXAMPLEALICE',
    });
    expect(stepOf(plan, `notify-contained:${ALICE}`).after).not.toContain(`remove-login-profile:${ALICE}`);
  });

  it('iam-credential-compromise: the root user is escalated to a person and noted, never contained', () => {
    // Prepare
    const plan = planIncident(
      testFinding({ type: 'Policy:IAMUser/RootCredentialUsage', band: 'LOW', resources: [rootUser()] }),
      playbooks,
    );

    // Act
    const escalation = stepOf(plan, `notify-root-escalation:${ROOT}`);

    // Assess
    expect(escalation.params.stage).toBe('approval-needed');
    expect(escalation.params.details).toMatchObject({ audience: 'low-priority', manualActionRequired: true });
    expect(plan.notes.join(' ')).toMatch(/root user's credentials cannot be contained automatically/);
  });

  it('instance-credential-exfiltration: says every workload on the role is affected', () => {
    // Prepare
    const plan = highPlan(4);

    // Act
    const contained = stepOf(plan, `notify-contained:${ROLE}`);

    // Assess
    expect(stepOf(plan, `revoke-role-sessions:${ROLE}`).params).toEqual({ roleName: ROLE });
    expect(stepOf(plan, `revoke-role-sessions:${ROLE}`).after).toEqual([`collect-iam:${ROLE}`]);
    expect(contained.params.summary).toMatch(/every workload using this role is affected/);
    expect(contained.params.details).toMatchObject({ roleName: ROLE, affectsEveryWorkloadOnRole: true });
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toMatch(new RegExp(`Every workload that uses role ${ROLE} is affected`));
  });

  it('ec2-metadata-abuse: cuts the metadata service after the instance capture, without approval, and says what it affects', () => {
    // Prepare
    const finding = testFinding({
      type: 'UnauthorizedAccess:EC2/MetadataDNSRebind',
      band: 'HIGH',
      resources: [instance('i-0ddd')],
    });

    // Act
    const plan = planIncident(finding, playbooks);

    // Assess
    const cut = stepOf(plan, 'cut-metadata:i-0ddd');
    expect(cut).toMatchObject({
      action: 'contain.ec2-metadata',
      queue: 'isolator',
      containment: true,
      approval: 'none',
      params: { instanceId: 'i-0ddd' },
      after: ['capture-instance:i-0ddd'],
    });
    expect(stepOf(plan, 'notify-contained').after).toEqual(['cut-metadata:i-0ddd']);
    expect(ancestors(plan, 'seal-evidence').has('cut-metadata:i-0ddd')).toBe(false);
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toMatch(/Instance i-0ddd no longer reaches its metadata service/);
  });

  it('malicious-ip: each subnet NACL block is approval-gated and names the /32', () => {
    // Prepare
    const plan = highPlan(6);

    // Act
    const blocks = plan.steps.filter((step) => step.action === 'contain.block-ip');

    // Assess
    expect(blocks.map((step) => step.params)).toEqual([
      { subnetId: 'subnet-0aaa', cidr: '198.51.100.23/32' },
      { subnetId: 'subnet-0bbb', cidr: '198.51.100.23/32' },
    ]);
    expect(blocks.every((step) => step.approval === 'required' && step.queue === 'isolator')).toBe(true);
  });
});
