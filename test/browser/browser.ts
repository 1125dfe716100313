import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { approveDeviceCode, type DemoOperator, LOCAL_IDP_CLIENTS, REPO_ROOT } from '@ir/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * The browser the console tests drive: Debian's `chromium` (CI installs it in .ci/run), never one
 * that playwright downloads. `IR_CHROMIUM` names another binary.
 */
export const CHROMIUM = process.env.IR_CHROMIUM ?? '/usr/bin/chromium';

/** Whether {@link CHROMIUM} is there. */
export const hasChromium = existsSync(CHROMIUM);

/** Whether to save the README's screenshots (IR_SCREENSHOTS=1): CI never rewrites tracked files. */
const saveScreenshots = process.env.IR_SCREENSHOTS === '1';

/**
 * Saves `docs/images/console-<name>.png` for the README when IR_SCREENSHOTS=1: what the window shows,
 * or with `fullPage` the whole page.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  if (!saveScreenshots) return;
  await mkdir(join(REPO_ROOT, 'docs/images'), { recursive: true });
  await page.screenshot({
    path: join(REPO_ROOT, 'docs/images', `console-${name}.png`),
    fullPage: options.fullPage ?? false,
  });
}

/** How many CSS pixels the page is wider than the window (0: nothing scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    // Runs in the page (the tests compile without DOM types).
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/** Starts headless chromium; as root (CI, containers) its sandbox cannot start, so it is switched off. */
export function launchChromium(): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
}

/** A page of a fresh browser context (one person's browser), with what its console said. */
export interface PersonPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console messages and page errors, in order. */
  readonly messages: string[];
}

/** A new context (cookies, storage: one person's browser) at 1280×800 and a page that records its console. */
export async function personPage(browser: Browser): Promise<PersonPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return { context, page, messages };
}

/** Messages that report a Content-Security-Policy violation (chromium logs each as an error). */
export function cspViolations(messages: readonly string[]): string[] {
  return messages.filter((message) =>
    /Content Security Policy|Refused to (execute|load|apply|evaluate)/i.test(message),
  );
}

/**
 * Signs `operator` in as a person does: the console's "Sign in", the identity provider's page listing
 * the demo operators (authorization code with PKCE behind it), and back to the console, whose header
 * then names the person.
 */
export async function signIn(page: Page, consoleUrl: string, operator: DemoOperator): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: new RegExp(`^${operator.name}\\b`) }).click();
  await page.getByTestId('whoami').filter({ hasText: operator.name }).waitFor({ timeout: 30_000 });
}

/**
 * An access token of `operator` for the API read-backs, through the device flow irctl uses (the
 * provider's verification and sign-in pages): the test reads state as someone other than the browser.
 */
export async function deviceFlowToken(issuer: string, operator: DemoOperator): Promise<string> {
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const client = LOCAL_IDP_CLIENTS.cli;
  const device = (await (
    await fetch(`${issuer}/device/auth`, form({ client_id: client, scope: 'openid ir:operator' }))
  ).json()) as { device_code: string; user_code: string; verification_uri: string };
  await approveDeviceCode(issuer, device.verification_uri, device.user_code, operator);
  const answer = await fetch(
    `${issuer}/token`,
    form({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: client,
    }),
  );
  const body = (await answer.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token for ${operator.subject}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * The access token the console keeps in the page's storage, if it keeps one there: a JWT with the
 * `client_id` claim (RFC 9068 access tokens carry it; ID tokens do not). Undefined when the console
 * keeps tokens in memory only.
 */
export function tokenInPageStorage(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    // Runs in the page: the browser's Storage, typed here by what is used (the tests compile without DOM types).
    type Storage = {
      readonly length: number;
      key(index: number): string | null;
      getItem(key: string): string | null;
    };
    const { sessionStorage, localStorage } = globalThis as unknown as Record<
      'sessionStorage' | 'localStorage',
      Storage
    >;
    const jwts = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
    const isAccessToken = (jwt: string) => {
      try {
        const payload = (jwt.split('.')[1] ?? '').replaceAll('-', '+').replaceAll('_', '/');
        return 'client_id' in (JSON.parse(atob(payload)) as Record<string, unknown>);
      } catch {
        return false;
      }
    };
    for (const storage of [sessionStorage, localStorage]) {
      for (let index = 0; index < storage.length; index += 1) {
        const value = storage.getItem(storage.key(index) ?? '') ?? '';
        const token = value.match(jwts)?.find(isAccessToken);
        if (token) return token;
      }
    }
    return undefined;
  });
}
