import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import { receiveMessages } from '@ir/testkit';
import { coordinatorClient, type IncidentView, isSettled } from './coordinator-client.js';
import type { DemoAccount } from './demo-account.js';
import { demoFindings } from './demo-findings.js';

/** What the demo needs from `pnpm dev`. */
export interface DemoSettings {
  readonly account: DemoAccount;
  readonly accountId: string;
  readonly region: string;
  /** The coordinator API and a bearer token for it (asked for per read: a token may expire mid-demo). */
  readonly api: { readonly url: string; readonly token: () => Promise<string> };
  readonly send: (body: string) => Promise<void>;
  readonly sqs: SQSClient;
  readonly findingsDlqUrl: string;
  readonly out: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * Sends the demo findings, waits until every incident they open has nothing moving (a step held for
 * approval waits for people, not for the demo), and prints each incident's steps and timeline, the
 * steps waiting for approval, and the malformed finding's DLQ reason. True when every expected
 * incident settled and the malformed finding was dead-lettered with a reason.
 */
export async function runDemo(settings: DemoSettings): Promise<boolean> {
  const { out } = settings;
  const findings = demoFindings(settings.account, settings.accountId, settings.region);
  for (const finding of findings) {
    out(`[demo] sending: ${finding.name}`);
    await settings.send(finding.body);
  }
  const expected = findings.filter((finding) => finding.opensIncident).length;
  const api = coordinatorClient(settings.api.url, settings.api.token);
  const deadline = Date.now() + (settings.timeoutMs ?? 180_000);
  let views: IncidentView[] = [];
  while (Date.now() < deadline) {
    const listed = await api.listIncidents().catch(() => []);
    views = await Promise.all(listed.map((incident) => api.incident(incident.incidentId)));
    if (views.length >= expected && views.every(isSettled)) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  for (const view of views) printIncident(view, out);
  const held = views.flatMap((view) =>
    view.steps
      .filter((step) => step.status === 'awaiting-approval')
      .map((step) => ({ incidentId: view.incident.incidentId, step })),
  );
  for (const { incidentId, step } of held) {
    out(
      `[demo] waiting for approval: ${step.action} ${step.stepId} in incident ${incidentId} (${step.approvals?.length ?? 0} of ${step.approvalsRequired ?? 1} approvals): approve it in the console or with irctl approve`,
    );
  }
  const dead = await receiveMessages(settings.sqs, settings.findingsDlqUrl, 1, 10_000);
  for (const message of dead) {
    out(
      `[demo] dead-lettered finding: reason=${message.MessageAttributes?.[DlqAttribute.reason]?.StringValue} detail=${message.MessageAttributes?.[DlqAttribute.detail]?.StringValue}`,
    );
    // Visible again at once: the console's DLQ page and irctl dlq list show it, and an admin can redrive it.
    await settings.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: settings.findingsDlqUrl,
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        }),
      )
      .catch(() => undefined);
  }
  const ok = views.length === expected && views.every(isSettled) && dead.length >= 1;
  const waiting =
    held.length === 0 ? '' : ` (${held.length} step${held.length === 1 ? '' : 's'} waiting for approval)`;
  out(
    ok
      ? `[demo] done: ${views.length} incidents handled${waiting}, the sample finding skipped, the malformed one in the DLQ with its reason.`
      : `[demo] NOT complete: ${views.length}/${expected} incidents, ${views.filter(isSettled).length} settled, ${dead.length} dead-lettered.`,
  );
  return ok;
}

function printIncident(view: IncidentView, out: (line: string) => void): void {
  const { incident } = view;
  out('');
  out(
    `== incident ${incident.incidentId}  playbook=${incident.playbookId}  severity=${incident.severityBand}  status=${incident.status}${incident.dryRun ? '  (dry-run)' : ''}`,
  );
  for (const step of view.steps) {
    const why =
      step.failure?.reason ??
      step.skipReason ??
      (step.holdReasons?.length ? `held: ${step.holdReasons.join(', ')}` : '');
    out(`   ${step.status.padEnd(18)} ${step.action.padEnd(28)} ${step.stepId}${why ? `  — ${why}` : ''}`);
  }
  out('   timeline:');
  for (const entry of view.timeline) {
    const detail = entry.detail ? ` ${compact(entry.detail)}` : '';
    out(`     ${entry.at.slice(11, 23)}  ${entry.kind}${entry.stepId ? ` ${entry.stepId}` : ''}${detail}`);
  }
}

/** A one-line rendering of a timeline entry's detail, cut to stay readable. */
function compact(detail: Record<string, unknown>): string {
  const text = Object.entries(detail)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
