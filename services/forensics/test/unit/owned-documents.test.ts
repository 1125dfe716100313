import { S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parameterErrors } from '@ir/ssm-documents';
import { describe, expect, it } from 'vitest';
import { investigationCommands, mountCommand } from '../../src/clean-room/investigation-commands.js';
import type { CollectionCommand } from '../../src/volatile/collection-commands.js';
import { COLLECTION_COMMANDS, MEMORY_TOOL_PROBE } from '../../src/volatile/collection-commands.js';
import {
  memoryCaptureCommand,
  memoryCleanupCommand,
  partUploadCommand,
} from '../../src/volatile/memory-scripts.js';
import { documentSetOf } from '../../src/volatile/owned-documents.js';

const BUCKET = 'ir-evidence-123456789012-eu-west-1';
const documents = documentSetOf({ IR_PREFIX: 'ir', IR_EVIDENCE_BUCKET: BUCKET });
const IMAGE = '/var/tmp/ir-memory.Ab12Cd34/memory.lime';

/** A part URL exactly as the service presigns it (offline: signing needs no network). */
async function presignedPartUrl(): Promise<string> {
  const s3 = new S3Client({
    region: 'eu-west-1',
    // The URL real AWS presigns, even when the suite runs with AWS_ENDPOINT_URL set for the emulator.
    ignoreConfiguredEndpointUrls: true,
    credentials: {
      accessKeyId: 'ASIAEXAMPLEEXAMPLE00',
      secretAccessKey: 'secret',
      sessionToken: 'IQoJb3JpZ2luX2VjE+token/with=chars',
    },
  });
  return getSignedUrl(
    s3,
    new UploadPartCommand({
      Bucket: BUCKET,
      Key: 'incidents/inc-1/collect-volatile/memory/memory.lime',
      UploadId: 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA--.x_y~z',
      PartNumber: 3,
    }),
    { expiresIn: 1860 },
  );
}

describe('documentSetOf and the commands forensics sends', () => {
  it('names the documents under IR_PREFIX unless a name is configured', () => {
    // Act
    const named = documentSetOf({
      IR_PREFIX: 'acme-ir',
      IR_EVIDENCE_BUCKET: BUCKET,
      IR_SSM_DOCUMENT_CAPTURE_MEMORY: 'SecOps-CaptureMemory',
    });
    // Assess
    expect(named.names).toEqual({
      CollectVolatile: 'acme-ir-CollectVolatile',
      CaptureMemory: 'SecOps-CaptureMemory',
      CleanRoomAnalysis: 'acme-ir-CleanRoomAnalysis',
    });
  });

  it('sends only values the documents’ own allowedPatterns admit', async () => {
    // Prepare
    const digests = Array.from({ length: 301 }, (_, i) => i.toString(16).padStart(64, '0'));
    const commands: CollectionCommand[] = [
      ...COLLECTION_COMMANDS,
      MEMORY_TOOL_PROBE,
      memoryCaptureCommand({ tool: 'avml', path: '/usr/local/bin/avml' }, '/var/tmp'),
      memoryCaptureCommand(
        { tool: 'lime', path: '/lib/modules/6.1.0-1.amzn2023/extra/lime.ko' },
        '/mnt/scratch',
      ),
      partUploadCommand(
        IMAGE,
        { partNumber: 3, offset: 1024 ** 3, length: 7 * 1024 * 1024 + 1 },
        await presignedPartUrl(),
      ),
      memoryCleanupCommand(IMAGE),
      mountCommand([
        { volumeId: 'vol-0a1b2c3d4e5f60718', device: '/dev/sdf' },
        { volumeId: 'vol-1a2b3c4d', device: '/dev/sdg' },
      ]),
      mountCommand([]),
      ...investigationCommands({ timelineDays: 3650, knownBad: digests }),
    ];
    // Act
    const refused = commands.flatMap((command) =>
      parameterErrors(documents.definitions[command.document], {
        ...command.parameters,
        executionTimeout: '7200',
      }).map((error) => `${command.name}: ${error}`),
    );
    // Assess
    expect(refused).toEqual([]);
    expect(commands.map((c) => c.name)).toContain('known-bad-scan-2');
  });

  it('would not send a part to a URL of another bucket or of the emulator', async () => {
    // Prepare
    const url = await presignedPartUrl();
    const elsewhere = [
      url.replace(BUCKET, 'attacker-bucket'),
      `http://127.0.0.1:5000/${BUCKET}/k?partNumber=1`,
    ];
    // Act
    const refused = elsewhere.map(
      (other) =>
        parameterErrors(
          documents.definitions.CaptureMemory,
          partUploadCommand(IMAGE, { partNumber: 1, offset: 0, length: 5 * 1024 * 1024 }, other).parameters,
        ).length,
    );
    // Assess
    expect(refused).toEqual([1, 1]);
  });
});
