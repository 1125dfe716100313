import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { resolveQueueUrls } from '@ir/runtime';
import { positional } from '../args.js';
import { awsFailure } from '../aws.js';
import type { CommandSpec } from '../command.js';
import { ExitCode } from '../errors.js';
import { readFindingInput, resourceWords } from '../finding-input.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';

/**
 * The SQS message attribute that asks detection to open the incident in dry-run. Why an attribute:
 * the findings queue carries raw findings exactly as EventBridge delivers them, with no envelope,
 * and the finding formats have no field for it.
 */
export const DRY_RUN_ATTRIBUTE = 'ir-dry-run';

/** The attribute naming irctl as the sender, so a finding that was typed in can be told apart. */
export const SUBMITTED_BY_ATTRIBUTE = 'ir-submitted-by';

/** `irctl submit <file|->`: validates a finding and sends it, unchanged, to the findings queue. */
export const submitCommand: CommandSpec = {
  name: 'submit',
  summary: 'validate a finding (any accepted format) and send it to the findings queue',
  positionals: ['<file|->'],
  options: {
    'dry-run': {
      type: 'boolean',
      help: `open the incident in dry-run: workers only read (message attribute ${DRY_RUN_ATTRIBUTE}=true)`,
    },
  },
  details: [
    'The finding is validated with the same parser detection uses; a malformed one is refused with the',
    'field named (exit 2) and nothing is sent. The exact text is sent to <IR_PREFIX>-findings, as',
    'EventBridge would deliver it. GuardDuty sample findings are sent but detection skips them unless',
    'it runs with IR_ACCEPT_SAMPLE_FINDINGS=true.',
  ],
  async run(args, context) {
    const input = await readFindingInput(positional(args, 0), context.readStdin, context.now);
    const dryRun = args.values['dry-run'] === true;
    const sqs = context.aws.sqs();
    const queueName = `${context.config.IR_PREFIX}-findings`;
    const attributes: Record<string, MessageAttributeValue> = {
      [SUBMITTED_BY_ATTRIBUTE]: { DataType: 'String', StringValue: 'irctl' },
      ...(dryRun ? { [DRY_RUN_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' } } : {}),
    };
    let messageId: string | undefined;
    try {
      const { findings: queueUrl } = await resolveQueueUrls(sqs, context.config.IR_PREFIX, ['findings']);
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: input.text,
          MessageAttributes: attributes,
        }),
      );
      messageId = sent.MessageId;
    } catch (error: unknown) {
      throw awsFailure(error, `sending the finding to ${queueName}`);
    }
    const findings = input.findings.map((finding) => ({
      id: finding.id,
      type: finding.type,
      severity: finding.severity.band,
      accountId: finding.accountId,
      region: finding.region,
      sample: finding.sample,
      resources: resourceWords(finding),
    }));
    if (args.values.json === true) {
      context.out(toJson({ queue: queueName, messageId, format: input.format, dryRun, findings }));
      return ExitCode.ok;
    }
    context.out(
      `sent ${findings.length} finding(s) (${input.format}) to ${queueName}${dryRun ? ' in dry-run' : ''}: message ${messageId ?? '(no id)'}`,
    );
    context.out(
      renderTable(
        [
          { heading: 'FINDING' },
          { heading: 'TYPE' },
          { heading: 'SEVERITY' },
          { heading: 'ACCOUNT' },
          { heading: 'RESOURCES' },
        ],
        findings.map((f) => [f.id, f.type, f.severity, `${f.accountId}/${f.region}`, f.resources]),
      ),
    );
    if (findings.some((finding) => finding.sample)) {
      context.err(
        'note: this is a GuardDuty sample finding; detection skips it unless IR_ACCEPT_SAMPLE_FINDINGS=true',
      );
    }
    context.out('follow it with: irctl incidents');
    return ExitCode.ok;
  },
};
