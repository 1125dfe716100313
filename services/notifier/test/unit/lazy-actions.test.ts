import { fileURLToPath } from 'node:url';
import { inFreshProcess } from '@ir/testkit';
import { describe, expect, it } from 'vitest';

const SERVICE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('notifier: the finding-workflow action loads on first use', () => {
  it('does not load GuardDuty at start, and loads it when notify.finding-workflow first runs', async () => {
    const seen = await inFreshProcess(
      SERVICE_ROOT,
      `
      await import('./src/service.ts');
      const { createHandlers } = await import('./src/handlers/index.ts');
      const findingSync = { securityHub: failingClient, guardDuty: failingClient, syncTotal: { inc() {} } };
      const actions = createHandlers({ findingSync });
      seen.atStart = loaded();
      // The action fails (no client here); what matters is what its first call imported.
      await actions['notify.finding-workflow']({ findings: [] }, { client: failingClient }).catch(() => undefined);
      seen.afterFindingWorkflow = loaded();
    `,
    );

    expect(seen.atStart).toContain('client-sqs');
    expect(seen.atStart).not.toContain('client-guardduty');
    expect(seen.atStart).not.toContain('client-organizations');
    expect(seen.afterFindingWorkflow).toContain('client-guardduty');
  }, 150_000);
});
