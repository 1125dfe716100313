import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { errorName } from '@ir/runtime';
import { parameterErrors } from '@ir/ssm-documents';
import type { CollectionCommand } from './collection-commands.js';
import { CommandOutcome, outcomeOf } from './command-outcome.js';
import type { DocumentSet } from './owned-documents.js';

/** SSM truncates `StandardOutputContent` at this many characters. */
export const SSM_STDOUT_LIMIT = 24_000;

/** What one command produced, whatever its outcome. */
export interface CommandResult {
  readonly name: string;
  readonly commandId: string | null;
  readonly outcome: CommandOutcome;
  readonly status: string | null;
  readonly statusDetails: string | null;
  readonly responseCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** SSM cut stdout at its 24,000-character limit. */
  readonly truncated: boolean;
}

/** Settings of {@link runCollectionCommand}. */
export interface RunSettings {
  readonly ssm: SSMClient;
  readonly instanceId: string;
  readonly incidentId: string;
  /** The owned documents: names to send, definitions to check parameter values against. */
  readonly documents: DocumentSet;
  readonly timeoutSeconds: number;
  readonly pollMs: number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * Sends one command with its owned SSM document (never `AWS-RunShellScript`: TRAPS 20) and polls it
 * to a final outcome. Values the document would refuse are refused here first, naming the parameter. Our own deadline (delivery plus
 * execution time-out, plus a margin) bounds the wait: past it the command is cancelled and recorded as
 * timed out, so the step never waits on an agent that will not answer.
 */
export async function runCollectionCommand(
  command: CollectionCommand,
  settings: RunSettings,
): Promise<CommandResult> {
  const { ssm, instanceId } = settings;
  const now = settings.now ?? Date.now;
  const parameters = { ...command.parameters, executionTimeout: String(settings.timeoutSeconds) };
  const refused = parameterErrors(settings.documents.definitions[command.document], parameters);
  if (refused.length > 0) {
    throw new Error(`refusing to send ${command.name} with ${command.document}: ${refused.join('; ')}`);
  }
  const sent = await ssm.send(
    new SendCommandCommand({
      InstanceIds: [instanceId],
      DocumentName: settings.documents.names[command.document],
      Comment: `ir ${settings.incidentId} ${command.name}`.slice(0, 100),
      TimeoutSeconds: settings.timeoutSeconds,
      Parameters: Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, [value]])),
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error(`SSM SendCommand returned no command id for ${command.name}`);
  const deadline = now() + (settings.timeoutSeconds * 2 + 10) * 1000;
  for (;;) {
    const invocation = await ssm
      .send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }))
      .catch((error: unknown) => {
        // The invocation appears a moment after SendCommand returns.
        if (errorName(error) === 'InvocationDoesNotExist') return undefined;
        throw error;
      });
    const outcome = invocation ? outcomeOf(invocation) : null;
    if (invocation && outcome) {
      const stdout = invocation.StandardOutputContent ?? '';
      return {
        name: command.name,
        commandId,
        outcome,
        status: invocation.Status ?? null,
        statusDetails: invocation.StatusDetails ?? null,
        responseCode: invocation.ResponseCode ?? null,
        stdout,
        stderr: invocation.StandardErrorContent ?? '',
        truncated: stdout.length >= SSM_STDOUT_LIMIT,
      };
    }
    if (now() >= deadline) {
      await ssm
        .send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }))
        .catch(() => undefined);
      return {
        name: command.name,
        commandId,
        outcome: CommandOutcome.timedOut,
        status: invocation?.Status ?? null,
        statusDetails: 'no final status before the service deadline; cancelled',
        responseCode: null,
        stdout: invocation?.StandardOutputContent ?? '',
        stderr: invocation?.StandardErrorContent ?? '',
        truncated: false,
      };
    }
    await settings.sleep(settings.pollMs, settings.signal);
  }
}
