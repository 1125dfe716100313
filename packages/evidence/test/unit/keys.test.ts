import { describe, expect, it } from 'vitest';
import { artifactKey, manifestKey, parseManifestKey } from '../../src/index.js';

describe('evidence keys', () => {
  it('keeps ids inside the incident prefix', () => {
    // Prepare / Act
    const key = artifactKey('../other', 'step/../x', 'volatile/processes.txt');
    const dots = artifactKey('..', '.', '../name');
    // Assess
    expect(key).toBe('incidents/..-other/step-..-x/volatile/processes.txt');
    expect(dots).toBe('incidents/-../-./-../name');
  });

  it('round-trips a manifest key to its sequence and step', () => {
    // Prepare
    const key = manifestKey('inc-1', 7, 'seal');
    // Act
    const parsed = parseManifestKey('inc-1', key);
    // Assess
    expect(key).toBe('incidents/inc-1/manifests/000007-seal.json');
    expect(parsed).toEqual({ sequence: 7, stepId: 'seal' });
  });
});
