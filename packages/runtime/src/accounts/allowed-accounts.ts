import type { Logger } from 'pino';
import { AccountNotAllowedError, errorMessage, RetryableError } from '../errors.js';

/** Where the list of allowed accounts comes from (`IR_ALLOWED_ACCOUNTS_SOURCE`). */
export const AllowedAccountsSource = {
  /** `IR_ALLOWED_ACCOUNTS` only (plus our own account). */
  list: 'list',
  /** The active accounts of the AWS Organization (ListAccounts), plus `IR_ALLOWED_ACCOUNTS` and our own. */
  organizations: 'organizations',
} as const;
export type AllowedAccountsSource = (typeof AllowedAccountsSource)[keyof typeof AllowedAccountsSource];

/** Whether the system may act in an account, and if not, a sentence saying why and what to change. */
export type AccountDecision =
  | { readonly allowed: true; readonly basis: 'home' | 'list' | 'organizations' }
  | { readonly allowed: false; readonly reason: string };

/** Decides which accounts the system may act in. One per service, shared by every handler. */
export interface AccountPolicy {
  /** The decision for one account; throws a RetryableError only when the organization cannot be read. */
  check(accountId: string): Promise<AccountDecision>;
  /** Throws {@link AccountNotAllowedError} (non-retryable) for a refused account. */
  assertAllowed(accountId: string): Promise<void>;
  /** A short description for the start-up log, e.g. `home + 2 listed accounts`. */
  describe(): string;
}

/** Settings of {@link createAccountPolicy}. */
export interface AccountPolicySettings {
  readonly homeAccountId: () => Promise<string>;
  /** `IR_ALLOWED_ACCOUNTS`, parsed. */
  readonly allowed: readonly string[];
  readonly source: AllowedAccountsSource;
  /** Lists the organization's ACTIVE account ids; required when `source` is `organizations`. */
  readonly listOrganizationAccounts?: () => Promise<readonly string[]>;
  /** How long an organization listing is trusted before it is read again. */
  readonly cacheTtlMs?: number;
  /**
   * How long a listing may still be used after a failed refresh. Why: an Organizations outage or
   * throttle must not stop every response, but an account removed from the organization must not stay
   * allowed for ever either.
   */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Listing {
  readonly accounts: ReadonlySet<string>;
  readonly readAt: number;
}

/**
 * The allow-list every worker and the coordinator consult before acting in an account. Our own
 * (security) account is always allowed; any other account must be listed in `IR_ALLOWED_ACCOUNTS` or,
 * with the `organizations` source, be an ACTIVE account of the organization. Why refuse by default:
 * anything that can put a finding on the queue could otherwise make the system assume a role in an
 * account nobody meant it to touch (TRAPS 18).
 */
export function createAccountPolicy(settings: AccountPolicySettings): AccountPolicy {
  const now = settings.now ?? Date.now;
  const ttl = settings.cacheTtlMs ?? 300_000;
  const maxStale = settings.maxStaleMs ?? 3_600_000;
  const listed = new Set(settings.allowed);
  if (settings.source === AllowedAccountsSource.organizations && !settings.listOrganizationAccounts) {
    throw new Error('the organizations source needs listOrganizationAccounts');
  }
  let listing: Listing | undefined;
  let refreshing: Promise<Listing> | undefined;

  const refresh = (): Promise<Listing> => {
    refreshing ??= (async () => {
      try {
        const accounts = await (settings.listOrganizationAccounts as () => Promise<readonly string[]>)();
        listing = { accounts: new Set(accounts), readAt: now() };
        settings.logger?.info({ accounts: accounts.length }, 'organization_accounts_listed');
        return listing;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const organizationAccounts = async (): Promise<ReadonlySet<string>> => {
    if (listing && now() - listing.readAt < ttl) return listing.accounts;
    try {
      return (await refresh()).accounts;
    } catch (error: unknown) {
      if (listing && now() - listing.readAt < ttl + maxStale) {
        settings.logger?.warn(
          { err: error, ageSeconds: Math.round((now() - listing.readAt) / 1000) },
          'organization_accounts_refresh_failed',
        );
        return listing.accounts;
      }
      throw new RetryableError(
        `cannot read the organization's accounts to decide whether the system may act (AWS Organizations ListAccounts: ${errorMessage(error)})`,
        { reason: 'allowed-accounts-unavailable', cause: error },
      );
    }
  };

  const check = async (accountId: string): Promise<AccountDecision> => {
    if (accountId === (await settings.homeAccountId())) return { allowed: true, basis: 'home' };
    if (listed.has(accountId)) return { allowed: true, basis: 'list' };
    if (settings.source === AllowedAccountsSource.organizations) {
      if ((await organizationAccounts()).has(accountId)) return { allowed: true, basis: 'organizations' };
      return {
        allowed: false,
        reason: `account ${accountId} is not an active account of the AWS Organization nor listed in IR_ALLOWED_ACCOUNTS; nothing was done in it. If it is yours, add it to IR_ALLOWED_ACCOUNTS (or the organization) and re-run the incident`,
      };
    }
    return {
      allowed: false,
      reason: `account ${accountId} is not in IR_ALLOWED_ACCOUNTS; nothing was done in it. If it is yours, add it to IR_ALLOWED_ACCOUNTS (or set IR_ALLOWED_ACCOUNTS_SOURCE=organizations) and re-run the incident`,
    };
  };

  return {
    check,
    async assertAllowed(accountId) {
      const decision = await check(accountId);
      if (!decision.allowed) throw new AccountNotAllowedError(decision.reason, accountId);
    },
    describe() {
      const parts = ['home', `${listed.size} listed account(s)`];
      if (settings.source === AllowedAccountsSource.organizations) parts.push('organization accounts');
      return parts.join(' + ');
    },
  };
}

/** Parses `IR_ALLOWED_ACCOUNTS`: comma- or whitespace-separated 12-digit ids; the invalid ones are returned. */
export function parseAccountList(text: string | undefined): { accounts: string[]; invalid: string[] } {
  const items = (text ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  return {
    accounts: [...new Set(items.filter((item) => /^\d{12}$/.test(item)))],
    invalid: items.filter((item) => !/^\d{12}$/.test(item)),
  };
}
