import { beforeAll, describe, expect, it } from 'vitest';
import { compileGlob, loadPlaybooks, type Playbook, parsePlaybook, selectPlaybook } from '../../src/index.js';
import { assumedRole, bucket, iamUser, instance, s3Object, testFinding } from './findings.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

describe('selectPlaybook', () => {
  const cases: { name: string; finding: () => ReturnType<typeof testFinding>; expected: string }[] = [
    {
      name: 'a crypto-mining instance',
      finding: () =>
        testFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', resources: [instance('i-1')] }),
      expected: 'ec2-compromise',
    },
    {
      name: "Security Hub's form of a GuardDuty C&C finding",
      finding: () =>
        testFinding({
          source: 'securityhub',
          type: 'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS',
          resources: [instance('i-1')],
        }),
      expected: 'ec2-compromise',
    },
    {
      name: 'DNS rebinding to the metadata service (before ec2-compromise, which also matches it)',
      finding: () =>
        testFinding({ type: 'UnauthorizedAccess:EC2/MetadataDNSRebind', resources: [instance('i-1')] }),
      expected: 'ec2-metadata-abuse',
    },
    {
      name: "Security Hub's form of the metadata DNS rebinding finding",
      finding: () =>
        testFinding({
          source: 'securityhub',
          type: 'TTPs/Initial Access/UnauthorizedAccess:EC2-MetadataDNSRebind',
          resources: [instance('i-1')],
        }),
      expected: 'ec2-metadata-abuse',
    },
    {
      name: 'an inbound SSH brute force (the remote IP is the attacker)',
      finding: () =>
        testFinding({
          type: 'UnauthorizedAccess:EC2/SSHBruteForce',
          resources: [instance('i-1')],
          remoteIps: ['198.51.100.7'],
          direction: 'inbound',
        }),
      expected: 'malicious-ip',
    },
    {
      name: 'an outbound SSH brute force (the instance is compromised)',
      finding: () =>
        testFinding({
          type: 'UnauthorizedAccess:EC2/SSHBruteForce',
          resources: [instance('i-1')],
          remoteIps: ['198.51.100.7'],
          direction: 'outbound',
        }),
      expected: 'ec2-compromise',
    },
    {
      name: 'instance credentials used outside AWS (before the generic IAM playbook)',
      finding: () =>
        testFinding({
          type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
          resources: [assumedRole()],
        }),
      expected: 'instance-credential-exfiltration',
    },
    {
      name: 'an IAM user finding',
      finding: () => testFinding({ type: 'Persistence:IAMUser/AnomalousBehavior', resources: [iamUser()] }),
      expected: 'iam-credential-compromise',
    },
    {
      name: 'an S3 finding',
      finding: () => testFinding({ type: 'Exfiltration:S3/AnomalousBehavior', resources: [bucket('b')] }),
      expected: 's3-exposure',
    },
    {
      name: 'an S3 malware finding (an object, not a bucket)',
      finding: () =>
        testFinding({ type: 'Object:S3/MaliciousFile', resources: [s3Object('uploads', 'in/a.pdf')] }),
      expected: 's3-malware',
    },
    {
      name: "Security Hub's form of the S3 malware finding",
      finding: () =>
        testFinding({
          source: 'securityhub',
          type: 'TTPs/Initial Access/Object:S3-MaliciousFile',
          resources: [s3Object('uploads', 'in/a.pdf')],
        }),
      expected: 's3-malware',
    },
    {
      name: 'an EKS finding',
      finding: () =>
        testFinding({
          type: 'Execution:Kubernetes/ExecInKubeSystemPod',
          resources: [{ kind: 'other', resourceType: 'EKSCluster', id: 'c1' }],
        }),
      expected: 'generic',
    },
  ];

  for (const testCase of cases) {
    it(`picks ${testCase.expected} for ${testCase.name}`, () => {
      // Prepare
      const finding = testCase.finding();

      // Act
      const selected = selectPlaybook(finding, playbooks);

      // Assess
      expect(selected.id).toBe(testCase.expected);
    });
  }

  it('prefers the higher priority, then the lower id, whatever the list order', () => {
    // Prepare
    const make = (id: string, priority: number) =>
      parsePlaybook(
        JSON.stringify({ id, name: id, priority, steps: [{ id: 's', action: 'evidence.seal' }] }),
        id,
      );
    const list = [make('b-low', 1), make('z-high', 5), make('a-high', 5)];
    const finding = testFinding({ type: 'X', resources: [bucket('b')] });

    // Act
    const forward = selectPlaybook(finding, list);
    const backward = selectPlaybook(finding, [...list].reverse());

    // Assess
    expect(forward.id).toBe('a-high');
    expect(backward.id).toBe('a-high');
  });

  it('throws a PlaybookError when nothing matches', () => {
    // Prepare
    const only = playbooks.filter((playbook) => playbook.id === 's3-exposure');
    const finding = testFinding({ type: 'Backdoor:EC2/X', resources: [instance('i-1')] });

    // Act
    const select = () => selectPlaybook(finding, only);

    // Assess
    expect(select).toThrow(/no playbook matches finding finding-0001 \(Backdoor:EC2\/X\)/);
  });
});

describe('compileGlob', () => {
  it('treats * as any run of characters and everything else literally, ignoring case', () => {
    // Prepare
    const match = compileGlob('*Backdoor:EC2*');

    // Act
    const results = [
      match('Backdoor:EC2/C&CActivity.B!DNS'),
      match('TTPs/Command and Control/backdoor:ec2-C&CActivity.B'),
      match('Backdoor:EKS/X'),
      compileGlob('Recon:EC2/Port?robe*')('Recon:EC2/PortProbeUnprotectedPort'),
      compileGlob('A.B')('AxB'),
      compileGlob('!(a)')('!(a)'),
    ];

    // Assess
    expect(results).toEqual([true, true, false, true, false, true]);
  });
});
