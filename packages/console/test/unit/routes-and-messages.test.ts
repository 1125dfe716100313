import type { ReportVerification } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api.js';
import { parseConsoleConfig } from '../../src/config.js';
import { decisionMessage } from '../../src/decisions.js';
import { reportFileName } from '../../src/download.js';
import { deadLettersPath, incidentPath, routeOf } from '../../src/router.js';
import { verificationSummary } from '../../src/verification.js';

describe('routeOf', () => {
  it('maps console paths to pages', () => {
    expect(routeOf('/console/').page).toBe('incidents');
    expect(routeOf('/console').page).toBe('incidents');
    expect(routeOf('/console/overview').page).toBe('overview');
    expect(routeOf('/console/callback').page).toBe('callback');
    expect(routeOf('/console/incidents/inc-1')).toEqual({ page: 'incident', id: 'inc-1' });
    expect(routeOf(incidentPath('a/b c'))).toEqual({ page: 'incident', id: 'a/b c' });
    expect(routeOf('/console/dlq')).toEqual({ page: 'dead-letters' });
    expect(routeOf(deadLettersPath('findings'))).toEqual({ page: 'dead-letters', queue: 'findings' });
    expect(routeOf('/console/dlq/someone-elses-queue').page).toBe('not-found');
    expect(routeOf('/console/dlq/findings/x').page).toBe('not-found');
    expect(routeOf('/console/incidents/%E0%A4%A').page).toBe('not-found');
  });
});

describe('decisionMessage', () => {
  it('says accepted, and as whom, for a 202', () => {
    expect(decisionMessage({ kind: 'approve', stepId: 's-1' }, { by: 'Alice Approver <alice@x.test>' })).toBe(
      'Approval of s-1 accepted, recorded as Alice Approver <alice@x.test>. This page updates when the coordinator has applied it.',
    );
  });

  it("carries the API's status and message for a refusal", () => {
    const refusal = new ApiError(
      403,
      'forbidden',
      'approving needs the approver role; your token has viewer',
    );

    expect(decisionMessage({ kind: 'reject', stepId: 's-2' }, refusal)).toBe(
      'Rejection of s-2 refused (403 forbidden): approving needs the approver role; your token has viewer',
    );
    expect(decisionMessage({ kind: 'rollback' }, new ApiError(409, 'conflict', 'already rolling back'))).toBe(
      'Rollback request refused (409 conflict): already rolling back',
    );
  });
});

describe('verificationSummary', () => {
  const base: ReportVerification = {
    status: 'verified',
    ok: true,
    bucket: 'evidence',
    checkedAt: '2026-12-07T04:00:00.000Z',
    detail: 'verified',
    problems: [],
    manifests: [{ key: 'm1', sequence: 1, status: 'ok', reason: null }],
    artifacts: [],
  };

  it('says intact only for a verified chain', () => {
    expect(verificationSummary(base)).toMatch(/^Evidence chain intact: 1 manifest/);
    expect(verificationSummary({ ...base, status: 'problems', ok: false, problems: ['x', 'y'] })).toMatch(
      /problems found \(2\)/,
    );
    expect(
      verificationSummary({ ...base, status: 'not-configured', ok: null, detail: 'set IR_EVIDENCE_BUCKET' }),
    ).toBe('Evidence not verified: set IR_EVIDENCE_BUCKET');
  });
});

describe('console helpers', () => {
  it('names the download after the incident', () => {
    expect(reportFileName('01JEXAMPLE')).toBe('incident-01JEXAMPLE.json');
    expect(reportFileName('../../etc')).toBe('incident-.._.._etc.json');
  });

  it('checks config.json, naming the missing field', () => {
    expect(
      parseConsoleConfig({
        issuer: 'http://127.0.0.1:4000/',
        clientId: 'ir-console',
        audience: 'urn:ir:operator-api',
      }),
    ).toMatchObject({
      issuer: 'http://127.0.0.1:4000/',
      clientId: 'ir-console',
      audience: 'urn:ir:operator-api',
      apiBase: '',
      rolesClaim: 'groups',
      roleMap: { 'ir-approvers': 'approver' },
    });
    expect(() => parseConsoleConfig({ issuer: 'x', audience: 'y' })).toThrow(/no clientId/);
    expect(() =>
      parseConsoleConfig({ issuer: 'x', clientId: 'c', audience: 'y', roleMap: { g: 'root' } }),
    ).toThrow(/maps g to root, which is no role/);
  });
});
