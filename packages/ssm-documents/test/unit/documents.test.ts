import { describe, expect, it } from 'vitest';
import {
  literal,
  ownedDocuments,
  ownedDocumentsFor,
  parameterErrors,
  renderScript,
  SSM_DOCUMENT_KEYS,
  ssmDocumentNames,
} from '../../src/index.js';

const BUCKET = 'ir-evidence-123456789012-us-east-1';
const documents = ownedDocumentsFor(BUCKET);

/** A valid value of every parameter (besides its default), to build injection attempts on. */
const VALID: Readonly<Record<string, string>> = {
  collection: 'network-connections',
  action: 'upload-part',
  tool: 'lime',
  toolPath: '/lib/modules/6.1.0/extra/lime-6.1.0.ko',
  captureDir: '/mnt/scratch',
  captureId: 'Ab12Cd34',
  partNumber: '12',
  skipMiB: '5632',
  countMiB: '512',
  uploadUrl: `https://${BUCKET}.s3.us-east-1.amazonaws.com/incidents/inc-1/volatile/memory/memory.lime?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20261120%2Fus-east-1%2Fs3%2Faws4_request&partNumber=12&uploadId=a.b-c%2Bd&x-id=UploadPart`,
  analysis: 'known-bad-scan',
  volumes: 'vol-0a1b2c3d4e5f60718=/dev/sdf vol-0a1b2c3d=/dev/xvdg',
  timelineDays: '30',
  knownBad: `${'a'.repeat(64)} ${'0123456789abcdef'.repeat(4)}`,
  executionTimeout: '900',
};

const METACHARACTERS = [';', '$(', '`', '&&', '\n', '|', "'", '"', ' ', '>', '<', '\\'];

const everyParameter = SSM_DOCUMENT_KEYS.flatMap((key) =>
  Object.entries(documents[key].parameters).map(
    ([name, parameter]) => [`${key}.${name}`, name, parameter] as const,
  ),
);

describe('owned SSM documents', () => {
  it('are named under the deployment prefix', () => {
    // Act / Assess
    expect(ssmDocumentNames('ir')).toEqual({
      CollectVolatile: 'ir-CollectVolatile',
      CaptureMemory: 'ir-CaptureMemory',
      CleanRoomAnalysis: 'ir-CleanRoomAnalysis',
    });
  });

  it.each(everyParameter)(
    '%s has an anchored allowedPattern its default and a real value match',
    (_label, name, parameter) => {
      // Prepare
      const pattern = new RegExp(parameter.allowedPattern);
      // Assess
      expect(parameter.allowedPattern).toMatch(/^\^.*\$$/);
      expect(pattern.test(parameter.default)).toBe(true);
      expect(VALID[name], `a valid value of ${name} in this test`).toBeDefined();
      expect(pattern.test(VALID[name] as string)).toBe(true);
    },
  );

  it.each(everyParameter)(
    '%s refuses shell metacharacters around a valid value',
    (_label, name, parameter) => {
      // Prepare
      const pattern = new RegExp(parameter.allowedPattern);
      const valid = VALID[name] as string;
      // Act
      const admitted = METACHARACTERS.flatMap((bad) => [
        `${valid}${bad}id`,
        `${bad}${valid}`,
        `${valid.slice(0, 1)}${bad}${valid.slice(1)}`,
      ]).filter((value) => pattern.test(value));
      // Assess
      expect(admitted).toEqual([]);
    },
  );

  it('admits memory uploads only to presigned URLs of the evidence bucket', () => {
    // Prepare
    const upload = new RegExp(documents.CaptureMemory.parameters.uploadUrl?.allowedPattern ?? '$^');
    const url = VALID.uploadUrl as string;
    // Assess
    expect(upload.test(url)).toBe(true);
    expect(upload.test(url.replace(BUCKET, 'attacker-bucket'))).toBe(false);
    expect(upload.test(url.replace(BUCKET, `${BUCKET}.evil.example`))).toBe(false);
    expect(upload.test(url.replace('https://', 'http://'))).toBe(false);
    expect(upload.test(`http://127.0.0.1:4566/${BUCKET}/incidents/x?partNumber=1`)).toBe(false);
    expect(upload.test(url.replace('&partNumber', '&&partNumber'))).toBe(false);
  });

  it('escapes a literal bucket name, and takes a CloudFormation value as it is', () => {
    // Act
    const dotted = ownedDocumentsFor('my.evidence').CaptureMemory.parameters.uploadUrl?.allowedPattern;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: how a CDK token looks before synthesis
    const token = ownedDocuments({ evidenceBucketPattern: '${Token[TOKEN.1]}' }).CaptureMemory.parameters
      .uploadUrl?.allowedPattern;
    // Assess
    expect(literal('my.evidence')).toBe('my\\.evidence');
    expect(dotted).toContain('https://my\\.evidence\\.s3');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: how a CDK token looks before synthesis
    expect(token).toContain('https://${Token[TOKEN.1]}\\.s3');
  });

  it('refuses paths with . or .. parts', () => {
    // Prepare
    const captureDir = new RegExp(documents.CaptureMemory.parameters.captureDir?.allowedPattern ?? '$^');
    // Assess
    expect(
      ['/var/../etc', '/var/./tmp', '/..', 'var/tmp', '/var/tmp/'].filter((p) => captureDir.test(p)),
    ).toEqual([]);
    expect(['/var/tmp', '/mnt/.scratch', '/mnt/...x'].every((p) => captureDir.test(p))).toBe(true);
  });

  it('refuses paths with . or .. parts', () => {
    // Prepare
    const captureDir = new RegExp(documents.CaptureMemory.parameters.captureDir?.allowedPattern ?? '$^');
    // Act
    const refused = ['/var/../etc', '/var/./tmp', '/..', 'var/tmp', '/var/tmp/'].filter(
      (p) => !captureDir.test(p),
    );
    const admitted = ['/var/tmp', '/mnt/.scratch', '/mnt/...x'].filter((p) => captureDir.test(p));
    // Assess
    expect(refused).toHaveLength(5);
    expect(admitted).toHaveLength(3);
  });

  it('refuses unknown parameters and values outside the pattern, naming them', () => {
    // Act
    const errors = parameterErrors(documents.CollectVolatile, {
      collection: 'processes; id',
      commands: 'id',
    });
    // Assess
    expect(errors).toEqual([
      expect.stringMatching(/^collection does not match/),
      'unknown parameter commands',
    ]);
    expect(() => renderScript(documents.CleanRoomAnalysis, { timelineDays: '$(id)' })).toThrow(
      /timelineDays/,
    );
  });

  it.each(SSM_DOCUMENT_KEYS)(
    '%s is one fixed Linux shell step that only uses its parameters through quoted variables',
    (key) => {
      // Prepare
      const document = documents[key];
      const step = document.mainSteps[0];
      const script = step.inputs.runCommand.join('\n');
      const names = Object.keys(document.parameters);
      // Assess
      expect(document.schemaVersion).toBe('2.2');
      expect(step).toMatchObject({
        action: 'aws:runShellScript',
        precondition: { StringEquals: ['platformType', 'Linux'] },
      });
      expect(step.inputs.timeoutSeconds).toBe('{{ executionTimeout }}');
      // Every {{ parameter }} is the value of one single-quoted assignment at the top, nowhere else.
      const references = [...script.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
      expect(references.sort()).toEqual(names.filter((n) => n !== 'executionTimeout').sort());
      for (const line of step.inputs.runCommand.filter((l) => l.includes('{{'))) {
        expect(line).toMatch(/^p_[a-z]+='\{\{ \w+ \}\}'$/);
      }
    },
  );

  it.each(SSM_DOCUMENT_KEYS)('%s builds and downloads nothing on the host (TRAPS 13)', (key) => {
    // Prepare
    const script = documents[key].mainSteps[0].inputs.runCommand.join('\n');
    // Assess
    expect(script).not.toMatch(/\b(yum|dnf|apt|apt-get|pip3?|npm|gcc|cc|make|git|wget|tar|unzip)\b/);
    for (const line of script.split('\n').filter((l) => /\bcurl\b/.test(l))) {
      expect(line).toMatch(/curl -sS -f -X PUT -T "\$file"/);
    }
  });
});
