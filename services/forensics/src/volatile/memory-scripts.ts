import type { CollectionCommand } from './collection-commands.js';

/** A path the service is willing to put in a shell script: absolute, no quotes, spaces or `..`. */
const SAFE_PATH = /^\/(?:[A-Za-z0-9._+-]+\/)*[A-Za-z0-9._+-]+$/;

/** True when a path can be quoted into a script without any chance of breaking out. */
export function isSafePath(path: string): boolean {
  return SAFE_PATH.test(path) && !path.split('/').includes('..');
}

/** A memory acquisition tool found on the host by the probe. */
export interface MemoryTool {
  readonly tool: 'avml' | 'lime';
  readonly path: string;
}

/**
 * Captures memory with the tool already on the host into a fresh directory under `captureDir`, then
 * prints `image=`, `size=` and `sha256=`. Why on local disk: neither AVML nor LiME streams to an HTTP
 * endpoint with a length S3 accepts, and the image must be cut into parts; the cost (the image
 * overwrites free blocks of that file system) is documented, and `captureDir` should be a different
 * volume where one exists. Paths come from host output, so they are checked before use.
 */
export function memoryCaptureCommand(tool: MemoryTool, captureDir: string): CollectionCommand {
  if (!isSafePath(tool.path)) throw new Error(`refusing memory tool path ${JSON.stringify(tool.path)}`);
  if (!isSafePath(captureDir)) throw new Error(`refusing capture directory ${JSON.stringify(captureDir)}`);
  const acquire =
    tool.tool === 'avml'
      ? `'${tool.path}' --compress "$img" || { echo "error=avml exited $?"; rm -rf -- "$d"; exit 1; }`
      : `insmod '${tool.path}' "path=$img format=lime" || { echo "error=insmod exited $?"; rm -rf -- "$d"; exit 1; }; rmmod lime 2>/dev/null || true`;
  return {
    name: 'memory-capture',
    description: `memory image with ${tool.tool} already on the host`,
    script: [
      'set -u',
      `d=$(mktemp -d '${captureDir}/ir-memory.XXXXXXXX') || { echo "error=cannot create a directory in ${captureDir}"; exit 1; }`,
      'img="$d/memory.lime"',
      acquire,
      '[ -s "$img" ] || { echo "error=the capture produced no image"; rm -rf -- "$d"; exit 1; }',
      'echo "image=$img"',
      'echo "size=$(stat -c %s "$img")"',
      'echo "sha256=$(sha256sum "$img" | cut -d" " -f1)"',
    ],
  };
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
 * Sends one part of the image to its presigned URL: cut with `dd` (whole MiB blocks), PUT with curl
 * (a file, so the request has the Content-Length S3 needs), ETag printed. The URL is a credential for
 * that one part for a few minutes; it is single-quoted (presigned URLs contain no quote).
 */
export function partUploadCommand(
  image: string,
  part: { partNumber: number; offset: number; length: number },
  url: string,
): CollectionCommand {
  if (!isSafePath(image)) throw new Error(`refusing image path ${JSON.stringify(image)}`);
  if (url.includes("'") || !/^https?:\/\//.test(url)) throw new Error('refusing a malformed upload URL');
  const mib = 1024 * 1024;
  if (part.offset % mib !== 0) throw new Error(`part ${part.partNumber} does not start on a MiB boundary`);
  const file = `${image}.part${part.partNumber}`;
  return {
    name: `memory-upload-part-${part.partNumber}`,
    description: `memory image part ${part.partNumber} to the evidence bucket`,
    script: [
      'set -u',
      `dd if='${image}' of='${file}' bs=1M skip=${part.offset / mib} count=${Math.ceil(part.length / mib)} status=none || { echo "error=dd exited $?"; exit 1; }`,
      `curl -sS -f -X PUT -T '${file}' -D '${file}.headers' -o /dev/null '${url}' || { echo "error=curl exited $?"; rm -f '${file}' '${file}.headers'; exit 1; }`,
      `echo "etag=$(grep -i '^etag:' '${file}.headers' | tr -d '\\r' | cut -d' ' -f2-)"`,
      `rm -f '${file}' '${file}.headers'`,
    ],
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

/** Removes the image directory from the host, whatever happened before. */
export function memoryCleanupCommand(image: string): CollectionCommand {
  if (!isSafePath(image)) throw new Error(`refusing image path ${JSON.stringify(image)}`);
  const dir = image.slice(0, image.lastIndexOf('/'));
  return {
    name: 'memory-cleanup',
    description: 'remove the memory image from the host',
    script: [`rm -rf -- '${dir}'`, 'echo "removed=yes"'],
  };
}
