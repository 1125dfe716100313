import {
  bandAtLeast,
  bandFromScore,
  bandFromSecurityHubLabel,
  compareBands,
  representativeScore,
  SeverityBand,
} from '@ir/contracts';
import { describe, expect, it } from 'vitest';

describe('bandFromScore', () => {
  it.each([
    [0, 'LOW'],
    [0.5, 'LOW'],
    [1, 'LOW'],
    [3.9, 'LOW'],
    [4.0, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7.0, 'HIGH'],
    [8.0, 'HIGH'],
    [8.9, 'HIGH'],
    [9.0, 'CRITICAL'],
    [10, 'CRITICAL'],
  ] as const)('puts %s in %s', (score, band) => {
    // Prepare / Act
    const result = bandFromScore(score);
    // Assess
    expect(result).toBe(band);
  });
});

describe('bandFromSecurityHubLabel', () => {
  it('folds INFORMATIONAL into LOW and keeps the other labels', () => {
    // Prepare
    const labels = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
    // Act
    const bands = labels.map(bandFromSecurityHubLabel);
    // Assess
    expect(bands).toEqual(['LOW', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });
});

describe('representativeScore', () => {
  it('gives each band a score inside that band', () => {
    // Prepare
    const bands = SeverityBand.options;
    // Act
    const roundTrip = bands.map((band) => bandFromScore(representativeScore(band)));
    // Assess
    expect(roundTrip).toEqual(bands);
  });
});

describe('compareBands and bandAtLeast', () => {
  it('orders bands LOW < MEDIUM < HIGH < CRITICAL', () => {
    // Prepare
    const shuffled = ['HIGH', 'LOW', 'CRITICAL', 'MEDIUM'] as const;
    // Act
    const sorted = [...shuffled].sort(compareBands);
    // Assess
    expect(sorted).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
    expect(bandAtLeast('HIGH', 'HIGH')).toBe(true);
    expect(bandAtLeast('CRITICAL', 'HIGH')).toBe(true);
    expect(bandAtLeast('MEDIUM', 'HIGH')).toBe(false);
  });
});
