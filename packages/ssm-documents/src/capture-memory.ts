import { caseScript, type SsmCommandDocument, shellDocument } from './document.js';
import { ABSOLUTE_PATH, DIRECTORIES, oneOf, orNone, presignedS3Url } from './patterns.js';

/** The steps of memory capture, each one command of `CaptureMemory`. */
export const MEMORY_ACTIONS = ['probe', 'capture', 'upload-part', 'cleanup'] as const;
export type MemoryAction = (typeof MEMORY_ACTIONS)[number];

/** The image of capture `$p_captureid`: the only place upload and cleanup may touch. */
const IMAGE_DIR = '"$p_capturedir/ir-memory.$p_captureid"';
const NEEDS_CAPTURE = `[ "$p_captureid" != none ] || { echo "error=no capture id given"; exit 1; }`;

/**
 * Why these steps: neither AVML nor LiME streams to an HTTP endpoint with a length S3 accepts, so the
 * image goes to local disk (`captureDir`, ideally another volume), is cut into parts with `dd`, each
 * PUT by curl to a presigned part URL of the evidence bucket, and is always removed afterwards. The
 * tool must already be on the host (the probe looks; nothing is fetched or built, TRAPS 13).
 */
const SCRIPTS: Readonly<Record<MemoryAction, readonly string[]>> = {
  probe: [
    'if p=$(command -v avml 2>/dev/null); then echo "tool=avml:$p";',
    'elif p=$(find /lib/modules/$(uname -r) /opt /usr/local -name "lime*.ko" 2>/dev/null | head -n 1) && [ -n "$p" ]; then echo "tool=lime:$p";',
    'else echo "tool=none"; fi',
  ],
  capture: [
    'set -u',
    'case "$p_tool:$p_toolpath" in avml:*/avml|lime:*.ko) ;; *) echo "error=tool $p_tool does not match $p_toolpath"; exit 1 ;; esac',
    '[ -f "$p_toolpath" ] || { echo "error=no $p_tool at $p_toolpath"; exit 1; }',
    'd=$(mktemp -d "$p_capturedir/ir-memory.XXXXXXXX") || { echo "error=cannot create a directory in $p_capturedir"; exit 1; }',
    'img="$d/memory.lime"',
    'if [ "$p_tool" = avml ]; then',
    '  "$p_toolpath" --compress "$img" || { echo "error=avml exited $?"; rm -rf -- "$d"; exit 1; }',
    'else',
    '  insmod "$p_toolpath" "path=$img format=lime" || { echo "error=insmod exited $?"; rm -rf -- "$d"; exit 1; }; rmmod lime 2>/dev/null || true',
    'fi',
    '[ -s "$img" ] || { echo "error=the capture produced no image"; rm -rf -- "$d"; exit 1; }',
    'echo "image=$img"',
    'echo "size=$(stat -c %s "$img")"',
    'echo "sha256=$(sha256sum "$img" | cut -d" " -f1)"',
  ],
  'upload-part': [
    'set -u',
    NEEDS_CAPTURE,
    '[ "$p_uploadurl" != none ] || { echo "error=no upload URL given"; exit 1; }',
    `img=${IMAGE_DIR}/memory.lime; file="$img.part$p_partnumber"`,
    '[ -f "$img" ] || { echo "error=no image at $img"; exit 1; }',
    'dd if="$img" of="$file" bs=1M skip="$p_skipmib" count="$p_countmib" status=none || { echo "error=dd exited $?"; exit 1; }',
    'curl -sS -f -X PUT -T "$file" -D "$file.headers" -o /dev/null "$p_uploadurl" || { echo "error=curl exited $?"; rm -f "$file" "$file.headers"; exit 1; }',
    `echo "etag=$(grep -i '^etag:' "$file.headers" | tr -d '\\r' | cut -d' ' -f2-)"`,
    'rm -f "$file" "$file.headers"',
  ],
  cleanup: [NEEDS_CAPTURE, `rm -rf -- ${IMAGE_DIR}`, 'echo "removed=yes"'],
};

/**
 * `CaptureMemory`: probe, capture, upload one part, or clean up. The upload URL must be a presigned
 * URL of the evidence bucket (`evidenceBucketPattern`, an escaped name or a CloudFormation value), so
 * the document cannot send memory anywhere else; upload and cleanup touch only
 * `<captureDir>/ir-memory.<captureId>`.
 */
export function captureMemoryDocument(options: {
  readonly evidenceBucketPattern: string;
}): SsmCommandDocument {
  return shellDocument(
    'Incident response: capture memory with AVML or LiME already on the host, upload it to the evidence bucket in parts, remove it',
    {
      action: {
        type: 'String',
        description: `The step: ${MEMORY_ACTIONS.join(', ')}`,
        default: 'probe',
        allowedPattern: oneOf(MEMORY_ACTIONS),
      },
      tool: {
        type: 'String',
        description: 'The tool the probe found (capture)',
        default: 'none',
        allowedPattern: oneOf(['none', 'avml', 'lime']),
      },
      toolPath: {
        type: 'String',
        description: 'Where the probe found it: an avml executable or a lime*.ko module (capture)',
        default: 'none',
        allowedPattern: orNone(`${DIRECTORIES}/(avml|lime[A-Za-z0-9._+-]*\\.ko)`),
      },
      captureDir: {
        type: 'String',
        description: 'Directory the image is written to (another volume where there is one)',
        default: '/var/tmp',
        allowedPattern: `^${ABSOLUTE_PATH}$`,
      },
      captureId: {
        type: 'String',
        description: 'The capture (suffix of ir-memory.<id>, printed by capture) to upload or remove',
        default: 'none',
        allowedPattern: orNone('[A-Za-z0-9]{6,32}'),
      },
      partNumber: {
        type: 'String',
        description: 'Part number of the upload (upload-part)',
        default: '1',
        allowedPattern: '^[1-9][0-9]{0,4}$',
      },
      skipMiB: {
        type: 'String',
        description: 'Where the part starts in the image, in MiB (upload-part)',
        default: '0',
        allowedPattern: '^(0|[1-9][0-9]{0,8})$',
      },
      countMiB: {
        type: 'String',
        description: 'Length of the part in MiB, the last one rounded up (upload-part)',
        default: '1',
        allowedPattern: '^[1-9][0-9]{0,4}$',
      },
      uploadUrl: {
        type: 'String',
        description: 'Presigned UploadPart URL of the evidence bucket, valid for this one part (upload-part)',
        default: 'none',
        allowedPattern: orNone(presignedS3Url(options.evidenceBucketPattern)),
      },
    },
    caseScript('p_action', SCRIPTS),
  );
}
