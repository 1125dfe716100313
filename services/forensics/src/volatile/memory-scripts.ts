import { ABSOLUTE_PATH, SsmDocumentKey } from '@ir/ssm-documents';
import type { CollectionCommand } from './collection-commands.js';

/** A path the service is willing to send: absolute, no quotes, spaces, `.` or `..` parts (CaptureMemory's pattern). */
const SAFE_PATH = new RegExp(`^${ABSOLUTE_PATH}$`);

/** True when a path matches the pattern CaptureMemory admits for paths. */
export function isSafePath(path: string): boolean {
  return SAFE_PATH.test(path);
}

/** A memory acquisition tool found on the host by the probe. */
export interface MemoryTool {
  readonly tool: 'avml' | 'lime';
  readonly path: string;
}

/**
 * Captures memory with the tool already on the host into a fresh `ir-memory.<id>` directory under
 * `captureDir` (`CaptureMemory`, action `capture`), which prints `image=`, `size=` and `sha256=`. Why
 * on local disk: neither AVML nor LiME streams to an HTTP endpoint with a length S3 accepts, and the
 * image must be cut into parts; the cost (the image overwrites free blocks of that file system) is
 * documented, and `captureDir` should be a different volume where one exists. The tool path comes
 * from host output, so it is checked here before it is sent (and SSM checks it against the pattern).
 */
export function memoryCaptureCommand(tool: MemoryTool, captureDir: string): CollectionCommand {
  if (!isSafePath(tool.path)) throw new Error(`refusing memory tool path ${JSON.stringify(tool.path)}`);
  if (!isSafePath(captureDir)) throw new Error(`refusing capture directory ${JSON.stringify(captureDir)}`);
  return {
    name: 'memory-capture',
    description: `memory image with ${tool.tool} already on the host`,
    document: SsmDocumentKey.captureMemory,
    parameters: { action: 'capture', tool: tool.tool, toolPath: tool.path, captureDir },
  };
}

/** The capture directory and id of an image path the capture reported (`<dir>/ir-memory.<id>/memory.lime`). */
function captureOf(image: string): { captureDir: string; captureId: string } {
  const match = /^(.+)\/ir-memory\.([A-Za-z0-9]+)\/memory\.lime$/.exec(image);
  if (!match?.[1] || !match[2] || !isSafePath(image)) {
    throw new Error(`refusing image path ${JSON.stringify(image)}`);
  }
  return { captureDir: match[1], captureId: match[2] };
}

/** What the capture command reported. */
export type CaptureReport =
  | { readonly image: string; readonly size: number; readonly sha256: string }
  | { readonly error: string };

/** Parses the capture command's output (recorded outputs are in the unit tests). */
export function parseCaptureOutput(stdout: string, captureDir: string): CaptureReport {
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)?.[1]?.trim();
  const error = field('error');
  if (error) return { error };
  const image = field('image');
  const size = Number(field('size'));
  const sha256 = field('sha256');
  if (!image || !sha256 || !Number.isSafeInteger(size)) {
    return { error: 'the capture command reported no image, size and sha256' };
  }
  const expected = new RegExp(
    `^${captureDir.replace(/[.+]/g, '\\$&')}/ir-memory\\.[A-Za-z0-9]+/memory\\.lime$`,
  );
  if (!expected.test(image) || !isSafePath(image))
    return { error: `unexpected image path ${JSON.stringify(image)}` };
  if (!/^[0-9a-f]{64}$/.test(sha256)) return { error: `not a SHA-256: ${JSON.stringify(sha256)}` };
  if (size <= 0) return { error: 'the image is empty' };
  return { image, size, sha256 };
}

/**
 * Sends one part of the image to its presigned URL (`CaptureMemory`, action `upload-part`): cut with
 * `dd` (whole MiB blocks), PUT with curl (a file, so the request has the Content-Length S3 needs),
 * ETag printed. The URL is a credential for that one part for a few minutes; the document admits only
 * presigned URLs of the evidence bucket.
 */
export function partUploadCommand(
  image: string,
  part: { partNumber: number; offset: number; length: number },
  url: string,
): CollectionCommand {
  const capture = captureOf(image);
  if (url.includes("'") || !/^https?:\/\//.test(url)) throw new Error('refusing a malformed upload URL');
  const mib = 1024 * 1024;
  if (part.offset % mib !== 0) throw new Error(`part ${part.partNumber} does not start on a MiB boundary`);
  return {
    name: `memory-upload-part-${part.partNumber}`,
    description: `memory image part ${part.partNumber} to the evidence bucket`,
    document: SsmDocumentKey.captureMemory,
    parameters: {
      action: 'upload-part',
      ...capture,
      partNumber: String(part.partNumber),
      skipMiB: String(part.offset / mib),
      countMiB: String(Math.ceil(part.length / mib)),
      uploadUrl: url,
    },
  };
}

/** The ETag of an uploaded part, or the error the host reported. */
export function parsePartOutput(stdout: string): { etag: string } | { error: string } {
  const error = /^error=(.*)$/m.exec(stdout)?.[1]?.trim();
  if (error) return { error };
  const etag = /^etag=(.*)$/m.exec(stdout)?.[1]?.trim();
  if (!etag || !/^"?[A-Za-z0-9-]+"?$/.test(etag)) return { error: 'the upload reported no ETag' };
  return { etag: etag.startsWith('"') ? etag : `"${etag}"` };
}

/** Removes the capture's directory (`<dir>/ir-memory.<id>`) from the host, whatever happened before. */
export function memoryCleanupCommand(image: string): CollectionCommand {
  return {
    name: 'memory-cleanup',
    description: 'remove the memory image from the host',
    document: SsmDocumentKey.captureMemory,
    parameters: { action: 'cleanup', ...captureOf(image) },
  };
}
