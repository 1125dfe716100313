import { fileURLToPath } from 'node:url';
import { inFreshProcess } from '@ir/testkit';
import { describe, expect, it } from 'vitest';

const SERVICE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('forensics collector modules load on first use', () => {
  it('loads no other resource family client at start, and RDS only when the RDS snapshot runs', async () => {
    const seen = await inFreshProcess(
      SERVICE_ROOT,
      `
      await import('./src/service.ts');
      const { createActions } = await import('./src/handlers/index.ts');
      const actions = createActions({});
      seen.atStart = loaded();
      // The action fails (no client here); what matters is what its first call imported.
      await actions['evidence.snapshot-rds']({}, { client: failingClient }).catch(() => undefined);
      seen.afterRds = loaded();
    `,
    );

    // At start: the evidence store's S3 and KMS, EC2 and SSM (snapshot follow-ups, the managed
    // instance lookup), never the clients of other resource families
    for (const pkg of ['rds', 'eks', 'ecs', 'lambda', 'cloudtrail', 'iam', 'organizations']) {
      expect(seen.atStart).not.toContain(`client-${pkg}`);
    }
    expect(seen.atStart).toContain('client-sqs');
    expect(seen.afterRds).toContain('client-rds');
    expect(seen.afterRds).not.toContain('client-eks');
    expect(seen.afterRds).not.toContain('client-lambda');
  }, 150_000);
});
