import { fileURLToPath } from 'node:url';
import { inFreshProcess } from '@ir/testkit';
import { describe, expect, it } from 'vitest';

const SERVICE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('isolator action modules load on first use', () => {
  it('loads no action SDK client at start, and RDS only when an RDS action runs', async () => {
    const seen = await inFreshProcess(
      SERVICE_ROOT,
      `
      await import('./src/service.ts');
      const { createActions } = await import('./src/actions/table.ts');
      const actions = createActions({ config: { IR_EKS_KUBERNETES_API: 'enabled', IR_PROTECTED_TAG: 'ir:protected=true' }, aws: {} });
      seen.atStart = loaded();
      // The action fails (no client here); what matters is what its first call imported.
      await actions['contain.rds-public-access']({}, { client: failingClient }).catch(() => undefined);
      seen.afterRds = loaded();
    `,
    );

    // At start: only what every service needs (its queues, STS); no action's client, no Organizations
    for (const pkg of ['ec2', 'iam', 'rds', 'eks', 'ecs', 'lambda', 's3', 'cloudtrail', 'organizations']) {
      expect(seen.atStart).not.toContain(`client-${pkg}`);
    }
    expect(seen.atStart).toContain('client-sqs');
    // The RDS action's first call imported its module, and with it the RDS client, and nothing else
    expect(seen.afterRds).toContain('client-rds');
    expect(seen.afterRds).not.toContain('client-eks');
    expect(seen.afterRds).not.toContain('client-lambda');
  }, 150_000);

  it("tags an EC2 instance without loading the other resource kinds' clients", async () => {
    const seen = await inFreshProcess(
      SERVICE_ROOT,
      `
      const { tagAccessOf } = await import('./src/actions/tagging/tag-access.ts');
      await tagAccessOf({ kind: 'ec2-instance', instanceId: 'i-0123456789abcdef0' }, failingClient).catch(() => undefined);
      seen.afterEc2 = loaded();
    `,
    );

    expect(seen.afterEc2).toContain('client-ec2');
    for (const pkg of ['iam', 'rds', 'eks', 'ecs', 'lambda', 's3']) {
      expect(seen.afterEc2).not.toContain(`client-${pkg}`);
    }
  }, 150_000);
});
