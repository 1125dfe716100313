import { detectFindingFormat, isFindingParseError, parseFindings } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

/** Runs `act` and returns what it threw (fails the test when it throws nothing). */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('detectFindingFormat', () => {
  it.each([
    ['guardduty-eventbridge-sample.json', 'guardduty-eventbridge'],
    ['guardduty-api-get-findings.json', 'guardduty-api'],
    ['guardduty-api-assumed-role.json', 'guardduty-api'],
    ['security-hub-imported-three.json', 'securityhub-eventbridge'],
    ['native-honeypot.json', 'native'],
  ])('recognises %s as %s', (name, format) => {
    // Prepare
    const value = fixture(name);
    // Act
    const detected = detectFindingFormat(value);
    // Assess
    expect(detected).toBe(format);
  });
});

describe('parseFindings', () => {
  it('rejects text that is not JSON as not-json', () => {
    // Prepare
    const text = '{"detail-type": "GuardDuty Finding",';
    // Act
    const error = thrownBy(() => parseFindings(text));
    // Assess
    expect(isFindingParseError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'not-json', retryable: false });
  });

  it('rejects an unknown EventBridge detail-type naming detail-type', () => {
    // Prepare
    const event = {
      ...fixture('guardduty-eventbridge-sample.json'),
      'detail-type': 'AWS API Call via CloudTrail',
    };
    // Act
    const error = thrownBy(() => parseFindings(JSON.stringify(event)));
    // Assess
    expect(error).toMatchObject({ reason: 'unknown-detail-type', issues: [{ path: 'detail-type' }] });
    expect((error as Error).message).toContain('AWS API Call via CloudTrail');
  });

  it('rejects shapes it does not know as unknown-format, including a future native version', () => {
    // Prepare
    const inputs = [
      [],
      'just text'.length,
      { hello: 'world' },
      { ...fixture('native-honeypot.json'), format: 'ir.finding/v9' },
    ];
    // Act
    const errors = inputs.map((input) => thrownBy(() => parseFindings(input)));
    // Assess
    expect(errors.map((e) => (e as { reason: string }).reason)).toEqual([
      'unknown-format',
      'unknown-format',
      'unknown-format',
      'unknown-format',
    ]);
    expect(errors[3]).toMatchObject({ issues: [{ path: 'format' }] });
  });

  it('reports every wrongly typed field with its path', () => {
    // Prepare
    const event = fixture('guardduty-eventbridge-sample.json');
    const detail = event.detail as Record<string, unknown>;
    detail.severity = 'HIGH';
    detail.accountId = 12345;
    // Act
    const error = thrownBy(() => parseFindings(event));
    // Assess
    expect(error).toMatchObject({ name: 'FindingParseError', reason: 'schema' });
    const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['detail.severity', 'detail.accountId']));
  });
});
