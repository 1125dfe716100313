/**
 * The console (issue 19) in a real browser: Debian's chromium driven by playwright-core (no browser
 * download) against `pnpm demo` on the emulator, signing in as the demo operators through the local
 * identity provider (authorization code with PKCE). What the browser shows is checked against state
 * read back: the network ACL from the emulator, steps and approvals from the coordinator's API.
 *
 * The held NACL block is the demo's own: its port probe of bastion-1 (the malicious-ip playbook holds
 * `contain.block-ip` for two approvers). One finding is sent beyond the demo's, as the demo sends its
 * own: a custom detector's finding whose title carries a <script> element. The DLQ page's tests
 * (./dead-letters.ts) run in this suite too, on the same `pnpm demo`: one stack, not two.
 *
 * Without chromium the suite is skipped, unless IR_REQUIRE_TOOLS=1 (CI) makes that a failure.
 * IR_SCREENSHOTS=1 also saves the screenshots the README shows (docs/images/console-*.png).
 */
import { readFile } from 'node:fs/promises';
import { DescribeInstancesCommand, DescribeNetworkAclsCommand } from '@aws-sdk/client-ec2';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { IncidentReport } from '@ir/contracts';
import {
  DEMO_OPERATORS,
  type EmulatorClients,
  emulatorClients,
  findingTypes,
  nativeFinding,
} from '@ir/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROBE_IP } from '../../scripts/dev/demo-findings.js';
import { type CoordinatorApi, coordinatorApi, type IncidentView } from '../support/coordinator-api.js';
import { createTargetInstance } from '../support/findings.js';
import { isQuiescent, stepOf, waitForIncidentOf, waitForIncidents } from '../support/incident-progress.js';
import {
  cspViolations,
  deviceFlowToken,
  hasChromium,
  horizontalOverflow,
  launchChromium,
  type PersonPage,
  personPage,
  screenshot,
  signIn,
  tokenInPageStorage,
} from './browser.js';
import { deadLetterPageTests } from './dead-letters.js';
import { type DevStack, startDevStack } from './dev-stack.js';

if (!hasChromium && process.env.IR_REQUIRE_TOOLS === '1') {
  throw new Error('chromium is required (IR_REQUIRE_TOOLS=1) but not installed (apt-get install chromium)');
}

const SCRIPT_TITLE = '<script>window.__pwned=1</script> Probe';

/** Opens an incident from the list, as a person does: its row's link. */
async function openIncident(page: Page, view: IncidentView): Promise<void> {
  const { incidentId, summary } = view.incident;
  const link = page.locator(`a[href="/console/incidents/${incidentId}"]`);
  await expect.poll(() => link.count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await link.first().click();
  await page.getByRole('heading', { name: summary }).first().waitFor({ timeout: 30_000 });
}

/** The `<li>` of a step in the "Steps" section. */
const stepItem = (page: Page, stepId: string) => page.locator(`li[data-step-id="${stepId}"]`);

/** Presses Tab until the focused element satisfies `wanted` (at most `limit` times); its description. */
async function tabTo(
  page: Page,
  wanted: (focused: { tag: string; text: string; href: string | null }) => boolean,
  limit = 40,
): Promise<{ tag: string; text: string; href: string | null }> {
  const seen: string[] = [];
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      // Runs in the page (the tests compile without DOM types): what has the focus.
      type Focused = {
        tagName: string;
        textContent: string | null;
        getAttribute(name: string): string | null;
      };
      const element = (globalThis as unknown as { document: { activeElement: Focused | null } }).document
        .activeElement;
      return {
        tag: element?.tagName.toLowerCase() ?? '',
        text: (element?.textContent ?? '').trim(),
        href: element?.getAttribute('href') ?? null,
      };
    });
    if (wanted(focused)) return focused;
    seen.push(`${focused.tag}:${focused.text.slice(0, 30)}`);
  }
  throw new Error(`Tab never reached the element; focus went through: ${seen.join(' → ')}`);
}

// skip: install Debian's chromium to run (CI installs it in .ci/run and sets IR_REQUIRE_TOOLS=1)
describe.skipIf(!hasChromium)('the console in chromium, against pnpm demo', () => {
  let stack: DevStack;
  let browser: Browser;
  let clients: EmulatorClients;
  /** The API as the viewer, for read-backs (a token per five minutes: they live ten). */
  let api: CoordinatorApi;
  /** The subnet of the demo's bastion-1, read from the emulator: where the deny entry must appear. */
  let bastionSubnet: string;
  let blocked: IncidentView;
  let blockStep: string;
  let scripted: IncidentView;
  const people: PersonPage[] = [];
  const person = async () => {
    const opened = await personPage(browser);
    people.push(opened);
    return opened;
  };

  beforeAll(async () => {
    stack = await startDevStack();
    const region = process.env.AWS_REGION ?? 'us-east-1';
    clients = emulatorClients({
      endpoint: stack.emulatorEndpoint,
      region,
      // The dummy keys `pnpm dev` itself uses with its emulator.
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    let cached: { token: string; at: number } | undefined;
    api = coordinatorApi(stack.apiUrl, async () => {
      if (!cached || Date.now() - cached.at > 300_000) {
        cached = { token: await deviceFlowToken(stack.issuer, DEMO_OPERATORS.viewer), at: Date.now() };
      }
      return cached.token;
    });

    // The demo's bastion-1, as the emulator has it (not as the incident says it is).
    const bastions = await clients.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['bastion-1'] }] }),
    );
    bastionSubnet = bastions.Reservations?.[0]?.Instances?.[0]?.SubnetId ?? '';
    expect(bastionSubnet).not.toBe('');

    // A finding the demo does not send, on an instance of its own (detection would attach a second
    // finding on the same instance to the first one's incident).
    const other = await createTargetInstance(clients);
    const where = { accountId: stack.accountId, region };
    const now = new Date().toISOString();
    const hostile = {
      ...nativeFinding({
        ...where,
        type: 'Policy:EC2/CustomDetectorFinding',
        severity: 5,
        createdAt: now,
        updatedAt: now,
        resource: { kind: 'instance', instanceId: other.instanceId, enis: [] },
      }),
      title: SCRIPT_TITLE,
    };
    const findings =
      (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'ir-findings' }))).QueueUrl ?? '';
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: findings, MessageBody: JSON.stringify(hostile) }),
    );
    // The incident the demo's port probe opened, its NACL block held.
    const [probed] = await waitForIncidents(api, {
      count: 1,
      filter: (view) => view.incident.findings.some((finding) => finding.type === findingTypes.portProbe),
      done: (view) => isQuiescent(view) && stepOf(view, 'contain.block-ip').status === 'awaiting-approval',
    });
    if (!probed) throw new Error('the demo opened no incident for its port probe');
    blocked = probed;
    blockStep = stepOf(blocked, 'contain.block-ip').stepId;
    scripted = await waitForIncidentOf(api, hostile.id);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await Promise.all(people.map(({ context }) => context.close().catch(() => undefined)));
    await browser?.close();
    clients?.destroy();
    await stack?.stop();
  }, 120_000);

  it('serves the console with a strict Content-Security-Policy, and the keyboard signs in and opens an incident', async () => {
    // Prepare
    const { page, messages } = await person();
    // Act
    const response = await page.goto(stack.consoleUrl);
    await tabTo(page, (focused) => focused.tag === 'button' && focused.text === 'Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.href.startsWith(stack.issuer), { timeout: 30_000 });
    await page.getByRole('button', { name: /^Alice Approver\b/ }).click();
    await page.getByTestId('whoami').filter({ hasText: 'Alice Approver' }).waitFor({ timeout: 30_000 });
    const link = await tabTo(page, (focused) => focused.href?.startsWith('/console/incidents/') ?? false);
    await page.keyboard.press('Enter');
    // Assess
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForURL((url) => url.pathname === link.href, { timeout: 30_000 });
    await expect.poll(() => page.getByRole('heading', { name: 'Steps' }).count()).toBe(1);
    expect(await page.getByTestId('whoami').textContent()).toContain('approver');
    expect(cspViolations(messages)).toEqual([]);
  });

  it('shows a viewer no Approve button for the held NACL block, and the API refuses the forced call with 403', async () => {
    // Prepare
    const { page, messages } = await person();
    await signIn(page, stack.consoleUrl, DEMO_OPERATORS.viewer);
    await openIncident(page, blocked);
    const token =
      (await tokenInPageStorage(page)) ?? (await deviceFlowToken(stack.issuer, DEMO_OPERATORS.viewer));
    // Act: the call the hidden button would make, forced from the page.
    const status = await page.evaluate(
      async ({ path, bearer }) =>
        (
          await fetch(path, {
            method: 'POST',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      {
        path: `/incidents/${blocked.incident.incidentId}/steps/${encodeURIComponent(blockStep)}/approve`,
        bearer: token,
      },
    );
    // Assess
    expect(await stepItem(page, blockStep).getAttribute('data-status')).toBe('awaiting-approval');
    expect(await page.getByRole('button', { name: `Approve ${blockStep}` }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Reject ${blockStep}` }).count()).toBe(0);
    expect(status).toBe(403);
    const after = stepOf(await api.get(blocked.incident.incidentId), 'contain.block-ip');
    expect(after.status).toBe('awaiting-approval');
    expect(after.approvals).toEqual([]);
    expect(cspViolations(messages)).toEqual([]);
  });

  it('lets Alice approve the held NACL block, holds it for a second approver, and after she signs out runs it on Bob’s approval: the deny entry is in the ACL', async () => {
    // Prepare
    const alice = await person();
    await signIn(alice.page, stack.consoleUrl, DEMO_OPERATORS.approver);
    await openIncident(alice.page, blocked);
    await stepItem(alice.page, blockStep).scrollIntoViewIfNeeded();
    await screenshot(alice.page, 'incident');
    const denyEntries = async () =>
      (
        await clients.ec2.send(
          new DescribeNetworkAclsCommand({
            Filters: [{ Name: 'association.subnet-id', Values: [bastionSubnet] }],
          }),
        )
      ).NetworkAcls?.flatMap((acl) => acl.Entries ?? []).filter(
        (entry) => entry.CidrBlock === `${DEMO_PROBE_IP}/32` && entry.RuleAction === 'deny',
      ) ?? [];

    // Act: Alice approves, with a reason.
    await alice.page.getByLabel(`Reason for ${blockStep}`).fill('probe from a known scanner; block it');
    await alice.page.getByRole('button', { name: `Approve ${blockStep}` }).click();
    await alice.page.getByRole('status').filter({ hasText: /\S/ }).first().waitFor({ timeout: 30_000 });
    // Assess: one approval recorded, the block still held, the ACL unchanged.
    await expect
      .poll(
        async () => stepOf(await api.get(blocked.incident.incidentId), 'contain.block-ip').approvals.length,
        {
          timeout: 60_000,
          interval: 1_000,
        },
      )
      .toBe(1);
    expect(stepOf(await api.get(blocked.incident.incidentId), 'contain.block-ip').status).toBe(
      'awaiting-approval',
    );
    expect(await denyEntries()).toEqual([]);

    // Act: Alice signs out; Bob signs in at the same browser (the provider is asked for a fresh login,
    // not its session of Alice) and approves.
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    const bob = alice;
    await signIn(bob.page, stack.consoleUrl, DEMO_OPERATORS.secondApprover);
    await openIncident(bob.page, blocked);
    await bob.page.getByLabel(`Reason for ${blockStep}`).fill('agreed');
    await bob.page.getByRole('button', { name: `Approve ${blockStep}` }).click();

    // Assess: the console shows the step succeed (it reads the incident again every 5 s), and the
    // emulator's ACL holds the deny entry.
    await expect
      .poll(() => stepItem(bob.page, blockStep).getAttribute('data-status'), {
        timeout: 150_000,
        interval: 1_000,
      })
      .toBe('succeeded');
    const approvers = stepOf(await api.get(blocked.incident.incidentId), 'contain.block-ip').approvals.map(
      (approval) => approval.actor.subject,
    );
    expect(approvers).toEqual([DEMO_OPERATORS.approver.subject, DEMO_OPERATORS.secondApprover.subject]);
    expect((await denyEntries()).length).toBeGreaterThan(0);
    expect(cspViolations(alice.messages)).toEqual([]);
  });

  it('verifies the evidence (intact) and downloads the report as JSON', async () => {
    // Prepare
    const { page, messages } = await person();
    await signIn(page, stack.consoleUrl, DEMO_OPERATORS.responder);
    await openIncident(page, blocked);
    // Act
    await page.getByRole('button', { name: 'Verify evidence' }).click();
    const verification = page.getByRole('region', { name: 'Evidence verification' });
    await expect
      .poll(() => verification.textContent(), { timeout: 90_000, interval: 1_000 })
      .toContain('intact');
    await page.getByRole('button', { name: 'Show report' }).click();
    const rendered = page.locator('#report-body .markdown');
    await expect
      .poll(() => rendered.textContent(), { timeout: 60_000, interval: 1_000 })
      .toContain(blocked.incident.incidentId);
    // The section at the top of the screen, so that the screenshot shows the rendered report.
    await page.getByRole('heading', { name: 'Report', exact: true }).scrollIntoViewIfNeeded();
    await page.evaluate(() =>
      (
        globalThis as unknown as {
          document: { getElementById(id: string): { scrollIntoView(options: object): void } | null };
        }
      ).document
        .getElementById('report-heading')
        ?.scrollIntoView({ block: 'start' }),
    );
    await screenshot(page, 'report');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: 'Download report (JSON)' }).click(),
    ]);
    const downloaded = JSON.parse(await readFile(await download.path(), 'utf8')) as unknown;
    // Assess
    expect(IncidentReport.parse(downloaded).incident.incidentId).toBe(blocked.incident.incidentId);
    expect(await rendered.locator('h1, h2, h3').count()).toBeGreaterThan(0);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    expect(cspViolations(messages)).toEqual([]);
  });

  it('renders a finding title holding a <script> element as text, and nothing runs', async () => {
    // Prepare
    const { page, messages } = await person();
    await signIn(page, stack.consoleUrl, DEMO_OPERATORS.viewer);
    // Act
    const row = page.locator(`a[href="/console/incidents/${scripted.incident.incidentId}"]`);
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('<script>');
    await openIncident(page, scripted);
    // Assess
    const heading = await page.getByRole('heading', { level: 1 }).first().textContent();
    // The report's Markdown, rendered to HTML in the page: the title must arrive there as text too.
    await page.getByRole('button', { name: 'Show report' }).click();
    const rendered = page.locator('#report-body .markdown');
    await expect
      .poll(() => rendered.textContent(), { timeout: 60_000, interval: 1_000 })
      .toContain('<script>');
    expect(heading).toContain(SCRIPT_TITLE);
    expect(await rendered.locator('script').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as Record<string, unknown>).__pwned),
    ).toBeUndefined();
    expect(cspViolations(messages)).toEqual([]);
  });

  it('lays out the list, the overview and an incident at 1280×800 and the list at phone width (390×844)', async () => {
    // Prepare
    const { page, messages } = await person();
    await signIn(page, stack.consoleUrl, DEMO_OPERATORS.approver);
    const overflow = () => horizontalOverflow(page);
    // Act and assess: the list.
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await expect.poll(() => page.locator('a[href^="/console/incidents/"]').count()).toBeGreaterThanOrEqual(5);
    expect(await overflow()).toBe(0);
    await screenshot(page, 'list');
    // The overview.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL((url) => url.pathname === '/console/overview');
    const open = (await api.list()).filter((incident) => incident.status !== 'resolved').length;
    await page.getByRole('heading', { name: `Open incidents: ${open}` }).waitFor({ timeout: 30_000 });
    await page.getByRole('row', { name: /MTTI/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('row', { name: /MTTE/ }).waitFor();
    expect(await overflow()).toBe(0);
    await screenshot(page, 'overview');
    // The list at phone width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Incidents' }).first().click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.locator(`a[href="/console/incidents/${blocked.incident.incidentId}"]`).waitFor();
    expect(await overflow()).toBe(0);
    await screenshot(page, 'list-phone');
    // An incident at phone width too.
    await openIncident(page, blocked);
    expect(await overflow()).toBe(0);
    expect(cspViolations(messages)).toEqual([]);
  });

  it('resolves an incident only once a disposition and a category are chosen, and records them with the responder’s identity', async () => {
    // Prepare
    const { page, messages } = await person();
    await signIn(page, stack.consoleUrl, DEMO_OPERATORS.responder);
    await openIncident(page, scripted);
    const confirm = page.getByRole('button', { name: 'Confirm resolve' });
    // Act: open the dialog; the confirm button waits for both choices.
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    const disabledBeforeChoice = await confirm.isDisabled();
    await page.getByLabel('Disposition').selectOption('benign-true-positive');
    const disabledWithOneChoice = await confirm.isDisabled();
    await page.getByLabel('Category').selectOption('policy-violation');
    await page.getByLabel('Reason (optional)').fill('our own custom detector test');
    await confirm.click();
    // Assess: read back through the API, then on the page.
    await expect
      .poll(async () => (await api.get(scripted.incident.incidentId)).incident.status, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe('resolved');
    const resolved = (await api.get(scripted.incident.incidentId)).incident;
    expect(disabledBeforeChoice).toBe(true);
    expect(disabledWithOneChoice).toBe(true);
    expect(resolved.disposition).toMatchObject({
      disposition: 'benign-true-positive',
      category: 'policy-violation',
      source: 'operator',
      decidedByActor: { subject: DEMO_OPERATORS.responder.subject },
    });
    await expect
      .poll(() => page.getByText('benign-true-positive (policy-violation), decided by').count(), {
        timeout: 30_000,
        interval: 1_000,
      })
      .toBe(1);
    expect(cspViolations(messages)).toEqual([]);
  });

  deadLetterPageTests(() => ({ stack, clients, person }));
});
