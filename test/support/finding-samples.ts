import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Where a sample is pointed: the system's account and region. */
export interface SampleTarget {
  readonly accountId: string;
  readonly region: string;
}

/** The fields of a GuardDuty finding as EventBridge delivers it that every sample gets fresh. */
export interface EventBridgeSample {
  id: string;
  account: string;
  region: string;
  time: string;
  detail: {
    id: string;
    accountId: string;
    region: string;
    createdAt: string;
    updatedAt: string;
    service: { eventFirstSeen: string; eventLastSeen: string };
  };
}

/** The fields of a finding in the GuardDuty API's shape (`GetFindings`) that every sample gets fresh. */
export interface ApiSampleFinding {
  Id: string;
  Arn: string;
  AccountId: string;
  Region: string;
  CreatedAt: string;
  UpdatedAt: string;
  Service: { EventFirstSeen: string; EventLastSeen: string };
}

/**
 * A copy of the payload of a documented sample in packages/contracts/test/fixtures. Why the check: a
 * sample stands for what AWS sends only if its `_source` names where it comes from.
 */
export function documentedSample<T>(fileName: string): T {
  const document = JSON.parse(
    readFileSync(new URL(`../../packages/contracts/test/fixtures/${fileName}`, import.meta.url), 'utf8'),
  ) as { _source: { from: string[] }; payload: T };
  expect(document._source.from.length).toBeGreaterThan(0);
  return structuredClone(document.payload);
}

/**
 * A documented EventBridge sample pointed at `where`, with fresh ids and times (a new finding id, so
 * each test's finding opens its own incident); the test points its resource at what it created.
 */
export function eventBridgeSample<T extends EventBridgeSample>(fileName: string, where: SampleTarget): T {
  const event = documentedSample<T>(fileName);
  const now = new Date().toISOString();
  Object.assign(event, { id: randomUUID(), account: where.accountId, region: where.region, time: now });
  Object.assign(event.detail, {
    id: randomUUID().replaceAll('-', ''),
    accountId: where.accountId,
    region: where.region,
    createdAt: now,
    updatedAt: now,
  });
  Object.assign(event.detail.service, { eventFirstSeen: now, eventLastSeen: now });
  return event;
}

/**
 * A documented sample in the GuardDuty API's shape (`{ Findings: [finding] }`) with its first finding
 * pointed at `where`, with a fresh id, ARN and times; returns the payload, that finding and its id.
 */
export function apiSample<T extends ApiSampleFinding>(fileName: string, where: SampleTarget) {
  const payload = documentedSample<{ Findings: T[] }>(fileName);
  const finding = payload.Findings[0];
  if (!finding) throw new Error(`the fixture ${fileName} has no finding`);
  const now = new Date().toISOString();
  const id = randomUUID().replaceAll('-', '');
  Object.assign(finding, {
    Id: id,
    Arn: `arn:aws:guardduty:${where.region}:${where.accountId}:detector/123abc456def456ghij/finding/${id}`,
    AccountId: where.accountId,
    Region: where.region,
    CreatedAt: now,
    UpdatedAt: now,
  });
  Object.assign(finding.Service, { EventFirstSeen: now, EventLastSeen: now });
  return { payload, finding, id };
}
