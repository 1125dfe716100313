import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPlaybookError, loadPlaybooks, type PlaybookError, planIncident } from '../../src/index.js';
import { instance, testFinding } from './findings.js';

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

/** Runs `load` and returns the PlaybookError it rejects with (fails the test otherwise). */
async function rejection(load: () => Promise<unknown>): Promise<PlaybookError> {
  const error: unknown = await load().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isPlaybookError(error), String(error)).toBe(true);
  return error as PlaybookError;
}

describe('loadPlaybooks', () => {
  it('loads every shipped playbook, in selection order, each with its file', async () => {
    // Prepare
    const shipped = [
      'attack-sequence',
      'cloudtrail-logging-disabled',
      'instance-credential-exfiltration',
      'malicious-ip',
      'ec2-metadata-abuse',
      'ec2-compromise',
      'ecs-compromise',
      'eks-compromise',
      'lambda-compromise',
      's3-malware',
      'rds-compromise',
      'iam-credential-compromise',
      'security-group-admin-ports-open',
      's3-exposure',
      'generic',
    ];

    // Act
    const playbooks = await loadPlaybooks();

    // Assess
    expect(playbooks.map((playbook) => playbook.id)).toEqual(shipped);
    for (const playbook of playbooks)
      expect(playbook.source).toMatch(new RegExp(`/playbooks/${playbook.id}\\.yaml$`));
  });

  it('adds user playbooks and replaces shipped ones with the same id', async () => {
    // Prepare
    const userDir = fixtures('user-playbooks');

    // Act
    const playbooks = await loadPlaybooks({ userDir });

    // Assess
    expect(playbooks.map((playbook) => playbook.id)).toContain('lambda-page-only');
    expect(playbooks.filter((playbook) => playbook.id === 'ec2-compromise')).toHaveLength(1);
    const replaced = playbooks.find((playbook) => playbook.id === 'ec2-compromise');
    expect(replaced?.name).toBe('EC2 compromise (evidence only)');
    expect(replaced?.source).toBe(`${userDir}ec2-compromise.yml`);
    const plan = planIncident(
      testFinding({
        type: 'Backdoor:EC2/C&CActivity.B!DNS',
        band: 'CRITICAL',
        resources: [instance('i-0aaa')],
      }),
      playbooks,
    );
    expect(plan.steps.map((step) => step.stepId)).toEqual(['snapshot-volumes:i-0aaa', 'seal-evidence']);
  });

  it('rejects an invalid user playbook, naming its file and the path inside it', async () => {
    // Prepare
    const userDir = fixtures('invalid-user');

    // Act
    const error = await rejection(() => loadPlaybooks({ userDir }));

    // Assess
    expect(error.file).toBe(`${userDir}s3-exposure.yaml`);
    expect(error.path).toBe('steps[1].after[1]');
    expect(error.message).toContain("no step 'record-state' in this playbook (line 12)");
    expect(error.retryable).toBe(false);
  });

  it('rejects two files with the same id in one directory, naming both', async () => {
    // Prepare
    const shippedDir = fixtures('duplicate-ids');

    // Act
    const error = await rejection(() => loadPlaybooks({ shippedDir }));

    // Assess
    expect(error.file).toBe(`${shippedDir}b.yaml`);
    expect(error.path).toBe('id');
    expect(error.message).toContain(`also used by ${shippedDir}a.yaml`);
  });

  it('refuses a set of playbooks without generic, so no finding goes unanswered', async () => {
    // Prepare
    const shippedDir = fixtures('only-one');

    // Act
    const error = await rejection(() => loadPlaybooks({ shippedDir }));

    // Assess
    expect(error.message).toContain("no 'generic' playbook");
  });

  it('fails when the configured user directory does not exist, rather than running without it', async () => {
    // Prepare
    const userDir = fixtures('does-not-exist');

    // Act
    const error = await rejection(() => loadPlaybooks({ userDir }));

    // Assess
    expect(error.file).toBe(userDir);
    expect(error.message).toContain('cannot read the playbook directory');
  });
});
