import { Readable } from 'node:stream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { rollbackBlockIp } from '../../src/actions/network/block-ip.js';

/*
 * Emulator gap: moto 5.2.5's DeleteNetworkAclEntry of an entry that is gone raises StopIteration
 * (an internal error, so the SDK retries it as a 5xx), where AWS answers 400
 * `InvalidNetworkAclEntry.NotFound`. That is what the SDK's retry of a delete AWS applied but whose
 * answer was lost meets (TRAPS 24). These tests give the real SDK client EC2's own XML: the
 * DescribeNetworkAcls response shape of the API reference, and EC2's error response
 * (`<Response><Errors><Error><Code>…`) with the code AWS documents for a missing entry.
 */
const ACL = 'acl-5fb85d36';

function describeAcl(entries: { ruleNumber: number; egress: boolean }[]): string {
  const items = entries
    .map(
      (entry) => `<item><ruleNumber>${entry.ruleNumber}</ruleNumber><protocol>-1</protocol>
        <ruleAction>deny</ruleAction><egress>${entry.egress}</egress><cidrBlock>198.51.100.7/32</cidrBlock></item>`,
    )
    .join('');
  return `<DescribeNetworkAclsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <networkAclSet><item><networkAclId>${ACL}</networkAclId><vpcId>vpc-11ad4878</vpcId><default>false</default>
    <entrySet>${items}<item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction>
      <egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock></item></entrySet>
    <associationSet/><tagSet/></item></networkAclSet>
</DescribeNetworkAclsResponse>`;
}

const notFound = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidNetworkAclEntry.NotFound</Code><Message>The network ACL entry identified by 10 does not exist.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`;

/** An EC2 client whose answers come, by Action, from `answers` (each list consumed in order). */
function ec2Answering(answers: Record<string, { status: number; body: string }[]>) {
  const calls: string[] = [];
  const client = new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: string }) => {
        const action = new URLSearchParams(String(request.body ?? '')).get('Action') ?? '?';
        calls.push(action);
        const queue = answers[action] ?? [];
        const answer = queue.length > 1 ? queue.shift() : queue[0];
        if (!answer) throw new Error(`unexpected ${action}`);
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(answer.body)]),
          },
        };
      },
    } as never,
  });
  return { client, calls };
}

describe('rollback.block-ip when a delete was applied and its answer lost', () => {
  it("takes AWS's InvalidNetworkAclEntry.NotFound on the retried delete as done, and verifies by reading back", async () => {
    // Prepare: ours both ways at first; the inbound delete "already happened" (AWS says not found).
    const { client, calls } = ec2Answering({
      DescribeNetworkAcls: [
        {
          status: 200,
          body: describeAcl([
            { ruleNumber: 10, egress: false },
            { ruleNumber: 10, egress: true },
          ]),
        },
        { status: 200, body: describeAcl([]) },
      ],
      DeleteNetworkAclEntry: [
        { status: 400, body: notFound },
        {
          status: 200,
          body: '<DeleteNetworkAclEntryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></DeleteNetworkAclEntryResponse>',
        },
      ],
    });
    const context = {
      client: async () => client,
      dryRun: false,
      logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    };

    // Act
    const outcome = await rollbackBlockIp()(
      {
        originalStepId: 'contain:block-ip',
        preState: { networkAclId: ACL, cidr: '198.51.100.7/32', ruleNumber: 10 },
      },
      context as never,
    );

    // Assess
    expect(calls).toEqual([
      'DescribeNetworkAcls',
      'DeleteNetworkAclEntry',
      'DeleteNetworkAclEntry',
      'DescribeNetworkAcls',
    ]);
    expect(JSON.stringify(outcome)).toContain('"verified"');
  });
});
