import { type Account, ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';

/**
 * Every ACTIVE account of the organization (ListAccounts, all pages). Why only ACTIVE: a suspended or
 * leaving account is no longer governed by the organization, so the system should not act in it
 * unless someone lists it explicitly. Must run in the management account or a delegated administrator.
 */
export async function listActiveOrganizationAccounts(client: OrganizationsClient): Promise<string[]> {
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
