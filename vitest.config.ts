import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (no I/O beyond the process) and `integration` (talks to the AWS emulator that
 * the global setup starts once, or to AWS_ENDPOINT_URL when it is set). Workspace packages resolve to
 * their TypeScript sources through the `@ir/source` export condition. A third, `reliability`, runs
 * the fault suites of test/reliability the same way, one file at a time.
 */
const conditions = ['@ir/source', 'node', 'import', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@ir/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/test/unit/**/*.test.ts',
            'services/*/test/unit/**/*.test.ts',
            'tools/*/test/unit/**/*.test.ts',
            'deploy/test/**/*.test.ts',
            'test/static/**/*.test.ts',
            // The bench's pure parts (counting, series); the bench itself is `pnpm bench`.
            'test/bench/**/*.test.ts',
            // The fault runs' ledger on constructed inputs.
            'test/support/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'packages/*/test/integration/**/*.test.ts',
            'services/*/test/integration/**/*.test.ts',
            'tools/*/test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/observability/**/*.test.ts',
            // The console in Debian's chromium (playwright-core), against `pnpm demo`.
            'test/browser/**/*.test.ts',
          ],
          globalSetup: ['packages/testkit/src/vitest-global-setup.ts'],
          // Outcomes, never speed: a loaded 2-core CI machine makes the emulator slow.
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // Fault tests (kill -9, SIGTERM, AWS faults, malformed input) on whole systems: one file at
          // a time, since each runs five services and they measure recovery, not speed.
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          globalSetup: ['packages/testkit/src/vitest-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
