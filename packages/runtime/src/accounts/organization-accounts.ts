import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';

/**
 * Every ACTIVE account of the organization (ListAccounts, all pages). Why only ACTIVE: a suspended or
 * leaving account is no longer governed by the organization, so the system should not act in it
 * unless someone lists it explicitly. Must run in the management account or a delegated administrator.
 */
export async function listActiveOrganizationAccounts(client: OrganizationsClient): Promise<string[]> {
  // Imported here, not at the top: the runtime's index exports this function to every service, and
  // only IR_ALLOWED_ACCOUNTS_SOURCE=organizations ever calls it.
  const { ListAccountsCommand } = await import('@aws-sdk/client-organizations');
  const accounts: Account[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListAccountsCommand(nextToken ? { NextToken: nextToken } : {}));
    accounts.push(...(page.Accounts ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return accounts
    .filter((account) => (account.State ?? account.Status) === 'ACTIVE')
    .flatMap((account) => (account.Id ? [account.Id] : []));
}
