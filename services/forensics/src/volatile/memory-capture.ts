import type { HostUpload, HostUploadResult } from '../evidence/host-upload.js';
import type { StoredArtifact } from '../evidence/evidence-store.js';
import type { CollectionCommand } from './collection-commands.js';
import { CommandOutcome } from './command-outcome.js';
import {
  type MemoryTool,
  memoryCaptureCommand,
  memoryCleanupCommand,
  parseCaptureOutput,
  parsePartOutput,
  partUploadCommand,
} from './memory-scripts.js';
import type { CommandResult } from './run-command.js';

/** One memory command as recorded (never its script: upload scripts carry presigned URLs). */
interface CommandRecord {
  readonly name: string;
  readonly outcome: string;
  readonly statusDetails: string | null;
  readonly error?: string;
}

/** What became of memory capture, for `volatile.json`. */
export interface MemoryRecord {
  readonly performed: boolean;
  readonly tool: MemoryTool | null;
  readonly reason: string | null;
  readonly artifact?: StoredArtifact;
  /** What the host said the image hashes to, and whether the bytes stored hash to the same. */
  readonly hostSha256?: string;
  readonly hashMatchesHost?: boolean;
  readonly commands: readonly CommandRecord[];
}

/** What {@link captureMemory} needs: SSM, the upload, and the step's time budget. */
export interface MemoryCaptureDeps {
  /** Runs one command on the host to its final outcome within `timeoutSeconds`. */
  readonly run: (command: CollectionCommand, timeoutSeconds: number) => Promise<CommandResult>;
  readonly startUpload: (input: {
    claimedSha256: string;
    size: number;
  }) => Promise<HostUpload | { existing: StoredArtifact }>;
  readonly captureDir: string;
  /** Longest any one memory command may run. */
  readonly commandTimeoutSeconds: number;
  /** When the step must be done with memory (ms since the epoch): the handler's time-out, less a margin. */
  readonly budgetEndsAt: number;
  readonly now: () => number;
}

/** Below this many seconds left, a memory command is not started. */
const MIN_COMMAND_SECONDS = 30;

/**
 * Captures memory with the tool already on the host and brings the image into the evidence bucket:
 * capture (host prints size and SHA-256), a multipart upload straight to the evidence key, one SSM
 * command per part through a presigned URL, completion, and a re-hash of the stored bytes by this
 * service. The image is always removed from the host afterwards. Each command is bounded by what is
 * left of the step's time budget (a command that could not finish is not started), so the step
 * answers before its handler time-out instead of being retried from the start. Nothing here throws
 * for a host-side failure: it is recorded and the rest of the volatile evidence stands.
 */
export async function captureMemory(tool: MemoryTool, deps: MemoryCaptureDeps): Promise<MemoryRecord> {
  const commands: CommandRecord[] = [];
  const notPerformed = (reason: string): MemoryRecord => ({ performed: false, tool, reason, commands });
  const timeout = () => {
    const left = Math.floor((deps.budgetEndsAt - deps.now()) / 1000);
    // run-command waits up to twice the time-out (delivery, then execution) plus 10 s.
    return Math.min(deps.commandTimeoutSeconds, Math.floor((left - 10) / 2));
  };
  const runRecorded = async (command: CollectionCommand) => {
    const seconds = timeout();
    if (seconds < MIN_COMMAND_SECONDS) return undefined;
    const result = await deps.run(command, seconds);
    commands.push({ name: command.name, outcome: result.outcome, statusDetails: result.statusDetails });
    return result;
  };

  const capture = await runRecorded(memoryCaptureCommand(tool, deps.captureDir));
  if (!capture) return notPerformed('not enough of the step’s time left to capture memory');
  if (capture.outcome !== CommandOutcome.success) {
    return notPerformed(`capture ${capture.outcome}: ${capture.statusDetails ?? ''}`.trim());
  }
  const report = parseCaptureOutput(capture.stdout, deps.captureDir);
  if ('error' in report) return notPerformed(`capture: ${report.error}`);
  try {
    const upload = await deps.startUpload({ claimedSha256: report.sha256, size: report.size });
    if ('existing' in upload) {
      return { performed: true, tool, reason: null, artifact: upload.existing, commands };
    }
    const stored = await uploadParts(upload, report.image, runRecorded, commands);
    if ('error' in stored) {
      await upload.abort();
      return notPerformed(stored.error);
    }
    return {
      performed: true,
      tool,
      reason: null,
      artifact: stored.artifact,
      hostSha256: stored.claimedSha256,
      hashMatchesHost: stored.hashMatchesClaim,
      commands,
    };
  } finally {
    await runRecorded(memoryCleanupCommand(report.image));
  }
}

async function uploadParts(
  upload: HostUpload,
  image: string,
  run: (command: CollectionCommand) => Promise<CommandResult | undefined>,
  commands: CommandRecord[],
): Promise<HostUploadResult | { error: string }> {
  const etags: Array<{ partNumber: number; etag: string }> = [];
  for (const part of upload.parts) {
    const url = await upload.presign(part.partNumber);
    const result = await run(partUploadCommand(image, part, url));
    if (!result)
      return {
        error: `not enough of the step’s time left to upload part ${part.partNumber} of ${upload.parts.length}`,
      };
    if (result.outcome !== CommandOutcome.success) {
      return {
        error: `upload of part ${part.partNumber} ${result.outcome}: ${result.statusDetails ?? ''}`.trim(),
      };
    }
    const parsed = parsePartOutput(result.stdout);
    if ('error' in parsed) {
      const last = commands.at(-1);
      if (last) commands[commands.length - 1] = { ...last, error: parsed.error };
      return { error: `upload of part ${part.partNumber}: ${parsed.error}` };
    }
    etags.push({ partNumber: part.partNumber, etag: parsed.etag });
  }
  return upload.complete(etags);
}
