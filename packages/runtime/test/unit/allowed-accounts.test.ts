import { describe, expect, it } from 'vitest';
import {
  AccountNotAllowedError,
  ConfigError,
  createAccountPolicy,
  loadConfig,
  parseAccountList,
  WorkerEnv,
  workerTuning,
} from '../../src/index.js';

const HOME = '111111111111';
const LISTED = '222222222222';
const ORG_MEMBER = '333333333333';
const STRANGER = '444444444444';

const home = async () => HOME;

describe('createAccountPolicy', () => {
  it('allows only our own account when IR_ALLOWED_ACCOUNTS is unset', async () => {
    // Prepare
    const policy = createAccountPolicy({ homeAccountId: home, allowed: [], source: 'list' });
    // Act
    const own = await policy.check(HOME);
    const other = await policy.check(STRANGER);
    // Assess
    expect(own).toEqual({ allowed: true, basis: 'home' });
    expect(other.allowed).toBe(false);
    expect(other.allowed ? '' : other.reason).toMatch(/444444444444 is not in IR_ALLOWED_ACCOUNTS/);
  });

  it('allows listed accounts and refuses others with a non-retryable error naming the account', async () => {
    // Prepare
    const policy = createAccountPolicy({ homeAccountId: home, allowed: [LISTED], source: 'list' });
    // Act
    const listed = await policy.check(LISTED);
    const refusal = await policy.assertAllowed(STRANGER).catch((error: unknown) => error);
    // Assess
    expect(listed).toEqual({ allowed: true, basis: 'list' });
    expect(refusal).toBeInstanceOf(AccountNotAllowedError);
    expect((refusal as AccountNotAllowedError).retryable).toBe(false);
    expect((refusal as AccountNotAllowedError).reason).toBe('account-not-allowed');
    expect((refusal as AccountNotAllowedError).accountId).toBe(STRANGER);
  });

  it('with the organizations source, allows active organization accounts and caches the listing', async () => {
    // Prepare: AWS Organizations is replaced here; the integration test lists a real (emulated) organization.
    let calls = 0;
    let clock = 0;
    const policy = createAccountPolicy({
      homeAccountId: home,
      allowed: [LISTED],
      source: 'organizations',
      listOrganizationAccounts: async () => {
        calls += 1;
        return [ORG_MEMBER];
      },
      cacheTtlMs: 1000,
      now: () => clock,
    });
    // Act
    const member = await policy.check(ORG_MEMBER);
    const stranger = await policy.check(STRANGER);
    const listed = await policy.check(LISTED);
    clock = 2000;
    await policy.check(ORG_MEMBER);
    // Assess
    expect(member).toEqual({ allowed: true, basis: 'organizations' });
    expect(stranger.allowed).toBe(false);
    expect(listed).toEqual({ allowed: true, basis: 'list' });
    expect(calls).toBe(2);
  });

  it('fails closed with a retryable error when the organization cannot be read and nothing is cached', async () => {
    // Prepare
    const policy = createAccountPolicy({
      homeAccountId: home,
      allowed: [],
      source: 'organizations',
      listOrganizationAccounts: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      },
    });
    // Act
    const error = await policy.check(ORG_MEMBER).catch((caught: unknown) => caught);
    // Assess
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect((error as Error).message).toMatch(/cannot read the organization's accounts/);
  });

  it('keeps using a listing for a while when a refresh fails, then fails closed', async () => {
    // Prepare
    let clock = 0;
    let fail = false;
    const policy = createAccountPolicy({
      homeAccountId: home,
      allowed: [],
      source: 'organizations',
      listOrganizationAccounts: async () => {
        if (fail) throw new Error('Organizations unavailable');
        return [ORG_MEMBER];
      },
      cacheTtlMs: 1000,
      maxStaleMs: 5000,
      now: () => clock,
    });
    await policy.check(ORG_MEMBER);
    fail = true;
    // Act
    clock = 3000;
    const stale = await policy.check(ORG_MEMBER);
    clock = 10_000;
    const expired = await policy.check(ORG_MEMBER).catch((error: unknown) => error);
    // Assess
    expect(stale.allowed).toBe(true);
    expect((expired as { retryable: boolean }).retryable).toBe(true);
  });
});

describe('IR_ALLOWED_ACCOUNTS and per-account concurrency settings', () => {
  it('parses a comma list and names invalid entries', () => {
    // Prepare / Act
    const parsed = parseAccountList(' 222222222222, 333333333333 ,bad,12345 ');
    const error = (() => {
      try {
        loadConfig(WorkerEnv, { IR_ALLOWED_ACCOUNTS: '222222222222,nope' });
      } catch (caught: unknown) {
        return caught;
      }
    })();
    // Assess
    expect(parsed).toEqual({ accounts: ['222222222222', '333333333333'], invalid: ['bad', '12345'] });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/IR_ALLOWED_ACCOUNTS: not 12-digit account ids: nope/);
  });

  it('caps each account at half the worker concurrency unless told otherwise, never above it', () => {
    // Prepare / Act
    const defaults = workerTuning(loadConfig(WorkerEnv, { IR_WORKER_CONCURRENCY: '5' }));
    const explicit = workerTuning(
      loadConfig(WorkerEnv, { IR_WORKER_CONCURRENCY: '5', IR_ACCOUNT_CONCURRENCY: '2' }),
    );
    // Assess
    expect(defaults.accountConcurrency).toBe(3);
    expect(explicit.accountConcurrency).toBe(2);
    expect(() => loadConfig(WorkerEnv, { IR_WORKER_CONCURRENCY: '2', IR_ACCOUNT_CONCURRENCY: '3' })).toThrow(
      /IR_ACCOUNT_CONCURRENCY \(3\) must not exceed IR_WORKER_CONCURRENCY \(2\)/,
    );
  });
});
