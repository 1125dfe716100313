import { type Finding, type IncidentRecord, parseFindings, SuppressionRule } from '@ir/contracts';
import { type FindingOptions, findingTypes, nativeFinding } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { compileRule, literalGlob } from '../../src/matchers.js';
import { matchTally, proposeRule } from '../../src/proposal.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const ACCOUNT = '123456789012';

function finding(options: FindingOptions = {}, tags?: Record<string, string>): Finding {
  const [parsed] = parseFindings(nativeFinding({ accountId: ACCOUNT, ...options }));
  if (!parsed) throw new Error('the factory produced no finding');
  if (!tags) return parsed;
  return {
    ...parsed,
    resources: parsed.resources.map((resource) => ('tags' in resource ? { ...resource, tags } : resource)),
  };
}

function incident(disposition?: IncidentRecord['disposition']): IncidentRecord {
  return {
    incidentId: 'c0ffee00-0000-4000-8000-000000000001',
    correlationId: 'corr-1',
    status: disposition ? 'resolved' : 'open',
    playbookId: 'ec2-compromise',
    severityBand: 'HIGH',
    dryRun: false,
    receivedAt: '2026-05-30T10:00:00.000Z',
    openedAt: '2026-05-30T10:00:01.000Z',
    updatedAt: '2026-05-30T11:00:00.000Z',
    summary: 'test incident',
    target: { accountId: ACCOUNT, region: 'eu-west-1' },
    suppressionUnevaluated: false,
    findings: [],
    resources: [],
    protectedResources: [],
    notes: [],
    ...(disposition ? { disposition } : {}),
  };
}

const falsePositive: IncidentRecord['disposition'] = {
  disposition: 'false-positive',
  category: 'reconnaissance',
  decidedBy: 'Rita Responder <rita@ir.example.test>',
  decidedAt: '2026-05-30T11:00:00.000Z',
  source: 'operator',
};

describe('proposeRule', () => {
  it('builds an exact rule from the incident: types, accounts, resources and the common tags', () => {
    // Prepare
    const findings = [
      finding(
        { type: findingTypes.c2Dns, resource: { kind: 'instance', instanceId: 'i-0aaa' } },
        { Env: 'lab', Team: 'red' },
      ),
      finding(
        { type: findingTypes.portProbe, resource: { kind: 'instance', instanceId: 'i-0bbb' } },
        { Env: 'lab', Team: 'blue' },
      ),
    ];
    // Act
    const outcome = proposeRule(incident(falsePositive), findings, { omit: [], now: NOW });
    // Assess
    expect(outcome).toEqual({
      kind: 'proposed',
      rule: {
        name: 'fp-c0ffee00-0000-4000-8000-000000000001',
        reason: expect.stringContaining('resolved as false-positive (reconnaissance) by Rita Responder'),
        expiresAt: '2026-07-01T12:00:00.000Z',
        match: {
          findingTypes: ['Backdoor:EC2/C&CActivity.B\\!DNS', 'Recon:EC2/PortProbeUnprotectedPort'],
          accounts: [ACCOUNT],
          resources: ['ec2-instance:i-0aaa', 'ec2-instance:i-0bbb'],
          resourceTags: { Env: 'lab' },
        },
      },
    });
    // The proposal is a valid rule, and it matches the incident's own findings.
    if (outcome.kind !== 'proposed') throw new Error('not proposed');
    const rule = compileRule(SuppressionRule.parse(outcome.rule));
    expect(findings.map((each) => rule.matches(each))).toEqual([true, true]);
  });

  it('leaves omitted criteria out, and tags out when a resource carries none', () => {
    // Prepare
    const findings = [finding({ resource: { kind: 'instance', instanceId: 'i-0aaa' } })];
    // Act
    const outcome = proposeRule(
      incident({ ...falsePositive, disposition: 'benign-true-positive' }),
      findings,
      { omit: ['resources'], now: NOW },
    );
    // Assess
    expect(outcome.kind === 'proposed' && outcome.rule.match).toEqual({
      findingTypes: [literalGlob(findings[0]?.type ?? '')],
      accounts: [ACCOUNT],
    });
    expect(outcome.kind === 'proposed' && outcome.rule.name).toBe(
      'benign-c0ffee00-0000-4000-8000-000000000001',
    );
  });

  it('refuses an incident not resolved as a false or benign positive (409), and a rule with no criterion (400)', () => {
    // Prepare
    const findings = [finding()];
    // Act
    const open = proposeRule(incident(), findings, { omit: [], now: NOW });
    const real = proposeRule(incident({ ...falsePositive, disposition: 'true-positive' }), findings, {
      omit: [],
      now: NOW,
    });
    const empty = proposeRule(incident(falsePositive), findings, {
      omit: ['findingTypes', 'accounts', 'resources', 'resourceTags'],
      now: NOW,
    });
    // Assess
    expect(open).toMatchObject({ kind: 'refused', status: 409, message: expect.stringContaining('is open') });
    expect(real).toMatchObject({
      kind: 'refused',
      status: 409,
      message: expect.stringContaining('true-positive'),
    });
    expect(empty).toMatchObject({ kind: 'refused', status: 400 });
  });
});

describe('literalGlob', () => {
  it('escapes every glob character so the exact resource key matches and a longer one does not', () => {
    // Prepare
    const key = 'other:AWS::Thing:a{b,c}*(x)?';
    const rule = compileRule({ name: 'r', reason: 'r', match: { resources: [literalGlob(key)] } });
    const about = (id: string): Finding => ({
      ...finding(),
      resources: [{ kind: 'other', resourceType: 'AWS::Thing', id }],
    });
    // Act
    const exact = rule.matches(about('a{b,c}*(x)?'));
    const expanded = rule.matches(about('ab*(x)?'));
    const longer = rule.matches(about('a{b,c}*(x)?-2'));
    // Assess
    expect([exact, expanded, longer]).toEqual([true, false, false]);
  });
});

describe('compileRule, resources', () => {
  it('matches only when every resource of the finding matches a glob', () => {
    // Prepare
    const rule = compileRule({
      name: 'r',
      reason: 'r',
      match: { resources: ['ec2-instance:i-0aaa', 's3-bucket:lab-*'] },
    });
    const base = finding();
    const instance = {
      ...base,
      resources: [
        {
          kind: 'ec2-instance' as const,
          instanceId: 'i-0aaa',
          tags: {},
          networkInterfaces: [],
          region: undefined,
        },
      ],
    };
    const both = {
      ...base,
      resources: [
        ...instance.resources,
        { kind: 's3-bucket' as const, bucketName: 'lab-logs', tags: {}, region: undefined },
      ],
    };
    const mixed = {
      ...base,
      resources: [
        ...instance.resources,
        { kind: 's3-bucket' as const, bucketName: 'prod-logs', tags: {}, region: undefined },
      ],
    };
    // Act
    const verdicts = [instance, both, mixed].map((each) => rule.matches(each as Finding));
    // Assess
    expect(verdicts).toEqual([true, true, false]);
  });
});

describe('matchTally', () => {
  it('counts matching stored findings, distinct incidents, unreadable ones and keeps a few examples', () => {
    // Prepare
    const rule = { name: 'r', reason: 'r', match: { findingTypes: [findingTypes.portProbe] } };
    const tally = matchTally(rule, 2);
    const probe = (id: string) => finding({ type: findingTypes.portProbe, findingId: id });
    // Act
    tally.add({ incidentId: 'a', finding: probe('f1') });
    tally.add({ incidentId: 'a', finding: probe('f2') });
    tally.add({ incidentId: 'b', finding: probe('f3') });
    tally.add({ incidentId: 'b', finding: finding({ type: findingTypes.c2Dns, findingId: 'f4' }) });
    tally.add({ incidentId: 'c', unreadable: 'data is not JSON' });
    const result = tally.result({ capped: true, scanLimit: 10 });
    // Assess
    expect(result).toMatchObject({
      matched: 3,
      incidents: 2,
      findings: 4,
      unreadable: 1,
      capped: true,
      scanLimit: 10,
    });
    expect(result.examples.map((e) => e.findingId)).toEqual(['f1', 'f2']);
  });
});
