import { Readable } from 'node:stream';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { rdsSnapshotIdentifier, waitUntilAvailable } from '../../src/handlers/rds-snapshot.js';

/*
 * Emulator gap: moto 5.2.5 creates RDS snapshots `available` at once, so the integration tests never
 * see a snapshot still being taken. AWS answers `creating` for minutes (the API reference's
 * CreateDBSnapshot example; the SDK's DBSnapshotAvailable waiter polls every 30 s and fails on
 * `failed`, `deleted`, `deleting`, `incompatible-*`). These tests give the real SDK client
 * DescribeDBSnapshots answers in the RDS Query protocol's XML, one per call, with the identifiers of
 * the API reference's example (`mysqldb-02`, `mySQLdb-snap-1`); only the statuses change.
 */
function describeResponse(status: string): string {
  return `<DescribeDBSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBSnapshotsResult>
    <DBSnapshots>
      <DBSnapshot>
        <DBSnapshotIdentifier>mysqldb-snap-1</DBSnapshotIdentifier>
        <DBInstanceIdentifier>mysqldb-02</DBInstanceIdentifier>
        <DBSnapshotArn>arn:aws:rds:us-east-1:123456789012:snapshot:mysqldb-snap-1</DBSnapshotArn>
        <Engine>mysql</Engine>
        <AllocatedStorage>100</AllocatedStorage>
        <Status>${status}</Status>
        <SnapshotType>manual</SnapshotType>
        <Encrypted>false</Encrypted>
        <PercentProgress>${status === 'available' ? 100 : 40}</PercentProgress>
        <TagList>
          <Tag><Key>ir:incident-id</Key><Value>inc-1</Value></Tag>
        </TagList>
      </DBSnapshot>
    </DBSnapshots>
  </DescribeDBSnapshotsResult>
  <ResponseMetadata><RequestId>c4a3d6b2-1d4a-4bd6-9d8c-0ad2d9c1a7f0</RequestId></ResponseMetadata>
</DescribeDBSnapshotsResponse>`;
}

/** An RDS client whose HTTP layer answers each call with the next body of `answers`. */
function clientAnswering(answers: string[]) {
  const calls: string[] = [];
  const client = new RDSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        calls.push(String(request.body ?? ''));
        const body = answers.shift() ?? describeResponse('available');
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    } as never,
  });
  return { client, calls };
}

describe('waitUntilAvailable (RDS snapshot evidence)', () => {
  it('keeps looking while AWS says creating, and returns the snapshot once available', async () => {
    // Prepare
    const { client, calls } = clientAnswering([
      describeResponse('creating'),
      describeResponse('creating'),
      describeResponse('available'),
    ]);
    const sleeps: number[] = [];
    const deps = { sleep: async (ms: number) => void sleeps.push(ms) };

    // Act
    const snapshot = await waitUntilAvailable(client, 'instance', 'mysqldb-snap-1', deps, {
      signal: new AbortController().signal,
    });

    // Assess
    expect(snapshot).toMatchObject({ status: 'available', tags: { 'ir:incident-id': 'inc-1' } });
    expect(calls).toHaveLength(3);
    expect(calls.every((body) => body.includes('Action=DescribeDBSnapshots'))).toBe(true);
    expect(sleeps).toEqual([15_000, 15_000]);
  });

  it('fails the step on a snapshot AWS marks failed, without waiting further', async () => {
    // Prepare
    const { client } = clientAnswering([describeResponse('creating'), describeResponse('failed')]);

    // Act
    const waiting = waitUntilAvailable(
      client,
      'instance',
      'mysqldb-snap-1',
      { sleep: async () => {} },
      {
        signal: new AbortController().signal,
      },
    );

    // Assess
    await expect(waiting).rejects.toMatchObject({ name: 'StepRefusedError', retryable: false });
  });
});

describe('rdsSnapshotIdentifier', () => {
  it('is the same for every delivery of a step, and a valid RDS identifier', () => {
    // Act
    const id = rdsSnapshotIdentifier('inc-2024-05-02_ABC', 'snapshot-rds:orders--db', 'Orders_DB');

    // Assess
    expect(id).toBe(rdsSnapshotIdentifier('inc-2024-05-02_ABC', 'snapshot-rds:orders--db', 'Orders_DB'));
    expect(id).toMatch(/^[a-z](?!.*--)[a-z0-9-]{0,254}$/);
    expect(id).not.toMatch(/-$/);
    expect(id).not.toBe(rdsSnapshotIdentifier('inc-2024-05-02_ABC', 'snapshot-rds:other', 'Orders_DB'));
  });
});
