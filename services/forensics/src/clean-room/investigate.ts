import type { SSMClient } from '@aws-sdk/client-ssm';
import type { StoredArtifact } from '../evidence/evidence-store.js';
import type { ActionDeps } from '../handlers/types.js';
import type { CollectionCommand } from '../volatile/collection-commands.js';
import { CommandOutcome } from '../volatile/command-outcome.js';
import { documentSetOf } from '../volatile/owned-documents.js';
import { type CommandResult, runCollectionCommand } from '../volatile/run-command.js';
import { investigationCommands, mountCommand } from './investigation-commands.js';
import {
  type KnownBadMatch,
  matchKnownBad,
  type MountLine,
  type PersistenceEntry,
  parseHashes,
  parseMounts,
  parsePersistence,
  parseTimeline,
  type Timeline,
} from './output-parsers.js';
import type { CleanRoomVolume } from './volumes.js';

/** What the investigation needs besides the service's dependencies. */
export interface InvestigationInput {
  readonly ssm: SSMClient;
  readonly instanceId: string;
  readonly volumes: readonly CleanRoomVolume[];
  readonly knownBad: ReadonlyMap<string, string | null>;
  readonly timelineDays: number;
  readonly incidentId: string;
  readonly stepId: string;
  readonly action: string;
  /** The account the evidence came from (the suspect's), recorded on every artifact. */
  readonly sourceAccount: string;
  readonly signal: AbortSignal;
}

/** One command as the incident records it: its outcome and the artifact holding its output. */
export type CommandRecord = Omit<CommandResult, 'stdout' | 'stderr'> & {
  readonly description: string;
  readonly stderr: string;
  readonly artifact: StoredArtifact;
};

/** What the investigation found, for people: from the parsed outputs. */
export interface Findings {
  readonly mounts: MountLine[];
  readonly knownBadMatches: KnownBadMatch[];
  readonly persistence: PersistenceEntry[];
  readonly timeline: Timeline;
  /** Changed system executables hashed (count line of the command), and how many were listed. */
  readonly changedSystemBinaries: { readonly total: number | null; readonly listed: number };
}

/** The commands in the order they run: mounting first, then the questions. */
export function plannedCommands(input: Pick<InvestigationInput, 'volumes' | 'knownBad' | 'timelineDays'>) {
  return {
    mount: mountCommand(input.volumes),
    questions: investigationCommands({
      timelineDays: input.timelineDays,
      knownBad: [...input.knownBad.keys()],
    }),
  };
}

/**
 * Mounts the evidence read-only, then runs every question at once over SSM. Every output is stored
 * as evidence whatever its outcome (an empty output with its status says what happened), hashed and
 * locked by the evidence store; the outputs are then parsed into findings.
 */
export async function investigate(
  deps: ActionDeps,
  input: InvestigationInput,
): Promise<{ commands: CommandRecord[]; findings: Findings }> {
  const settings = {
    ssm: input.ssm,
    instanceId: input.instanceId,
    incidentId: input.incidentId,
    documents: documentSetOf(deps.config),
    timeoutSeconds: deps.config.IR_SSM_COMMAND_TIMEOUT_SECONDS,
    pollMs: deps.config.IR_SSM_POLL_SECONDS * 1000,
    sleep: deps.sleep,
    signal: input.signal,
  };
  const { mount, questions } = plannedCommands(input);
  const mounted = await runCollectionCommand(mount, settings);
  const answers = await Promise.all(questions.map((c) => runCollectionCommand(c, settings)));
  const results = [mounted, ...answers];
  const commands: CommandRecord[] = [];
  for (const [index, result] of results.entries()) {
    deps.metrics.ssmCommandsTotal.inc({ outcome: result.outcome });
    const command = (index === 0 ? mount : questions[index - 1]) as CollectionCommand;
    const artifact = await deps.store.put({
      incidentId: input.incidentId,
      stepId: input.stepId,
      action: input.action,
      name: `clean-room/${result.name}.txt`,
      contentType: 'text/plain; charset=utf-8',
      sourceAccount: input.sourceAccount,
      body: result.stdout,
    });
    const { stdout: _stdout, stderr, ...rest } = result;
    commands.push({
      ...rest,
      description: command.description,
      stderr: stderr.slice(0, 2000),
      artifact,
    } as CommandRecord);
  }
  return { commands, findings: findingsOf(results, input.knownBad) };
}

/** Parses the outputs of succeeded commands into findings. Pure. */
export function findingsOf(
  results: readonly Pick<CommandResult, 'name' | 'outcome' | 'stdout'>[],
  knownBad: ReadonlyMap<string, string | null>,
): Findings {
  const ok = (name: string) =>
    results.filter(
      (r) => (r.name === name || r.name.startsWith(`${name}-`)) && r.outcome === CommandOutcome.success,
    );
  const text = (name: string) =>
    ok(name)
      .map((r) => r.stdout)
      .join('\n');
  const changed = parseHashes(text('system-binary-hashes'));
  const scanned = parseHashes(text('known-bad-scan'));
  return {
    mounts: parseMounts(text('mount-volumes')),
    knownBadMatches: matchKnownBad([...scanned.hashes, ...changed.hashes], knownBad),
    persistence: parsePersistence(text('persistence')),
    timeline: parseTimeline(text('timeline')),
    changedSystemBinaries: { total: changed.count, listed: changed.hashes.length },
  };
}
