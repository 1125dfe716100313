import { Readable } from 'node:stream';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { readBackGroups } from '../../src/actions/rds/isolate.js';

/*
 * Emulator gap: moto 5.2.5 applies ModifyDBInstance's VpcSecurityGroupIds at once, so the integration
 * tests always read the new groups back on the first look. AWS applies the change asynchronously
 * ("as soon as possible", ModifyDBInstance in the API reference) while the instance is `modifying`,
 * so the first DescribeDBInstances answers may still show the old group. These tests give the real
 * SDK client DescribeDBInstances answers in the RDS Query protocol's XML (the shape of the API
 * reference's DescribeDBInstances example, with only the groups and status changed).
 */
function describeInstance(status: string, groups: string[]): string {
  const memberships = groups
    .map(
      (id) =>
        `<VpcSecurityGroupMembership><VpcSecurityGroupId>${id}</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership>`,
    )
    .join('');
  return `<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>mysqldb</DBInstanceIdentifier>
        <DBInstanceArn>arn:aws:rds:us-east-1:123456789012:db:mysqldb</DBInstanceArn>
        <DBInstanceStatus>${status}</DBInstanceStatus>
        <Engine>mysql</Engine>
        <DBSubnetGroup><DBSubnetGroupName>default</DBSubnetGroupName><VpcId>vpc-0abc1234</VpcId></DBSubnetGroup>
        <VpcSecurityGroups>${memberships}</VpcSecurityGroups>
        <PubliclyAccessible>false</PubliclyAccessible>
      </DBInstance>
    </DBInstances>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>9135fff3-8509-11e0-bd9b-a7b1ece36d51</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>`;
}

function clientAnswering(answers: string[]) {
  let calls = 0;
  const client = new RDSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: {
      handle: async () => {
        calls += 1;
        const body = answers.shift() ?? answers.at(-1) ?? '';
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
  return { client, calls: () => calls };
}

describe('readBackGroups (contain.rds-database read-back)', () => {
  const signal = new AbortController().signal;
  const db = { kind: 'instance', id: 'mysqldb' } as const;

  it('reads again while RDS still shows the old group, and verifies once only the isolation group is there', async () => {
    // Prepare
    const { client, calls } = clientAnswering([
      describeInstance('modifying', ['sg-0old']),
      describeInstance('modifying', ['sg-0old', 'sg-0iso']),
      describeInstance('available', ['sg-0iso']),
    ]);

    // Act
    const verified = await readBackGroups(client, db, ['sg-0iso'], signal, 1);

    // Assess
    expect(verified.problems).toEqual([]);
    expect(verified.observed.groups).toEqual([{ groupId: 'sg-0iso', status: 'active' }]);
    expect(calls()).toBe(3);
  });

  it('reports what it saw when the change never shows, so the step fails rather than claim isolation', async () => {
    // Prepare
    const stuck = describeInstance('modifying', ['sg-0old']);
    const { client } = clientAnswering(Array.from({ length: 10 }, () => stuck));

    // Act
    const verified = await readBackGroups(client, db, ['sg-0iso'], signal, 1);

    // Assess
    expect(verified.problems).toEqual(['security groups are [sg-0old], not [sg-0iso]']);
  });
});
