import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { skipped, type StepHandler, succeeded, workEndsAt } from '@ir/runtime';
import { startHostUpload } from '../evidence/host-upload.js';
import type { StoredArtifact } from '../evidence/evidence-store.js';
import { StepRefusedError } from '../errors.js';
import { COLLECTION_COMMANDS, MEMORY_TOOL_PROBE, memoryToolFrom } from '../volatile/collection-commands.js';
import { CommandOutcome } from '../volatile/command-outcome.js';
import { captureMemory, type MemoryCaptureDeps, type MemoryRecord } from '../volatile/memory-capture.js';
import { documentSetOf } from '../volatile/owned-documents.js';
import { type CommandResult, runCollectionCommand } from '../volatile/run-command.js';
import type { ActionDeps } from './types.js';

const SUMMARY = 'volatile.json';

/**
 * evidence.collect-volatile: processes, connections, users, journal and network configuration over
 * SSM Run Command, each output stored (and hashed) by this service. An instance SSM cannot reach is
 * skipped with the reason, so the incident goes on. Every outcome is recorded; the step fails only
 * when no command succeeded. A rerun of the step returns the recorded summary and never runs the
 * commands on the host again.
 */
export function collectVolatile(deps: ActionDeps): StepHandler<'evidence.collect-volatile'> {
  return async ({ instanceId }, context) => {
    const startedAt = Date.now();
    const { stepId, incidentId, target } = context;
    const done = await deps.store.read({ incidentId, stepId, name: SUMMARY });
    if (done)
      return succeeded({ ...(JSON.parse(done.body) as Record<string, unknown>), summary: done.artifact });

    const ssm = await context.client(SSMClient);
    const managed = await deps.managedInstance(ssm, instanceId);
    if (!managed.managed) {
      const reason = managed.reason ?? `instance ${instanceId} cannot be reached over SSM`;
      context.logger.warn({ instanceId, reason }, 'volatile_collection_skipped');
      return skipped(reason, { instanceId, ssm: managed });
    }
    const documents = documentSetOf(deps.config);
    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        instanceId,
        wouldRun: COLLECTION_COMMANDS.map((c) => ({
          name: c.name,
          description: c.description,
          document: documents.names[c.document],
          parameters: c.parameters,
        })),
        wouldProbeMemoryTool: deps.config.IR_MEMORY_CAPTURE,
      });
    }
    const settings = {
      ssm,
      instanceId,
      incidentId,
      documents,
      timeoutSeconds: deps.config.IR_SSM_COMMAND_TIMEOUT_SECONDS,
      pollMs: deps.config.IR_SSM_POLL_SECONDS * 1000,
      sleep: deps.sleep,
      signal: context.signal,
    };
    const results = await Promise.all(COLLECTION_COMMANDS.map((c) => runCollectionCommand(c, settings)));
    const memory = deps.config.IR_MEMORY_CAPTURE
      ? await memoryCapture(deps, await runCollectionCommand(MEMORY_TOOL_PROBE, settings), {
          run: (memoryCommand, timeoutSeconds) =>
            runCollectionCommand(memoryCommand, { ...settings, timeoutSeconds }),
          startUpload: async ({ claimedSha256, size }) =>
            startHostUpload(
              await deps.aws.client(S3Client),
              deps.store,
              deps.evidenceSettings,
              {
                incidentId,
                stepId,
                action: context.action,
                name: 'memory/memory.lime',
                contentType: 'application/octet-stream',
                sourceAccount: target.accountId,
                claimedSha256,
                size,
                partBytes: deps.config.IR_MEMORY_PART_MIB * 1024 * 1024,
              },
              deps.config.IR_MEMORY_COMMAND_TIMEOUT_SECONDS * 2 + 60,
            ),
          // Whichever ends first, the handler's time-out or the step's (the coordinator's deadline).
          budgetEndsAt: workEndsAt(
            context.deadline,
            startedAt,
            deps.config.IR_HANDLER_TIMEOUT_SECONDS * 1000,
            30_000,
          ),
          now: Date.now,
        })
      : {
          performed: false,
          tool: null,
          reason: 'memory capture disabled by IR_MEMORY_CAPTURE',
          commands: [],
        };

    const commands: Array<Omit<CommandResult, 'stdout'> & { artifact: StoredArtifact | null }> = [];
    for (const result of results) {
      deps.metrics.ssmCommandsTotal.inc({ outcome: result.outcome });
      const { stdout, ...rest } = result;
      const artifact =
        result.outcome === CommandOutcome.success || stdout.length > 0
          ? await deps.store.put({
              incidentId,
              stepId,
              action: context.action,
              name: `volatile/${result.name}.txt`,
              contentType: 'text/plain; charset=utf-8',
              sourceAccount: target.accountId,
              body: stdout,
            })
          : null;
      commands.push({ ...rest, artifact });
    }
    const collected = commands.filter((c) => c.outcome === CommandOutcome.success).map((c) => c.name);
    const summary = {
      instanceId,
      collectedAt: deps.now().toISOString(),
      ssm: managed,
      collected,
      commands,
      memory,
    };
    const stored = await deps.store.put({
      incidentId,
      stepId,
      action: context.action,
      name: SUMMARY,
      contentType: 'application/json',
      sourceAccount: target.accountId,
      body: JSON.stringify(summary, null, 2),
    });
    if (collected.length === 0) {
      throw new StepRefusedError(
        `no volatile data could be collected from ${instanceId}: ${commands.map((c) => `${c.name} ${c.outcome}${c.statusDetails ? ` (${c.statusDetails})` : ''}`).join(', ')}`,
        'volatile-collection-failed',
        { context: { summary: stored.key } },
      );
    }
    return succeeded({ ...summary, summary: stored });
  };
}

/**
 * Memory capture uses only a tool already on the host (TRAPS 13): the probe finds AVML or LiME, then
 * {@link captureMemory} captures and brings the image into the evidence bucket. No tool, a failed
 * probe or too little time left are recorded as "not performed" with the reason.
 */
async function memoryCapture(
  deps: ActionDeps,
  probe: CommandResult,
  capture: Omit<MemoryCaptureDeps, 'captureDir' | 'commandTimeoutSeconds'>,
): Promise<MemoryRecord> {
  if (probe.outcome !== CommandOutcome.success) {
    return {
      performed: false,
      tool: null,
      reason: `tool probe ${probe.outcome}: ${probe.statusDetails ?? ''}`.trim(),
      commands: [],
    };
  }
  const tool = memoryToolFrom(probe.stdout);
  if (!tool) {
    return {
      performed: false,
      tool: null,
      reason: 'no AVML or LiME on the host; none is downloaded or built there',
      commands: [],
    };
  }
  return captureMemory(tool, {
    ...capture,
    captureDir: deps.config.IR_MEMORY_CAPTURE_DIR,
    commandTimeoutSeconds: deps.config.IR_MEMORY_COMMAND_TIMEOUT_SECONDS,
  });
}
