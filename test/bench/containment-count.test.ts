/**
 * The count reads EC2 query bodies as the AWS SDK writes them. Those bodies are made here by the real
 * EC2 client sending to a local node:http server on 127.0.0.1 that keeps each request and answers
 * 200 (the answer is never read: the count only sees what was sent and its status).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { CreateTagsCommand, EC2Client, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countContainments, type ForwardedCall } from './containment-count.js';

const ISOLATION = 'sg-0isolation';
const CONVERSION = 'sg-0conversion';
const received: ForwardedCall[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
    received.push({ operation: action, status: 200, body });
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(`<${action}Response><requestId>r</requestId><return>true</return></${action}Response>`);
  });
});
let ec2: EC2Client;

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  ec2 = new EC2Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKEFORTESTS', secretAccessKey: 'fake-secret-for-tests' },
    maxAttempts: 1,
  });
});
afterAll(() => {
  ec2.destroy();
  server.close();
});

/** The calls one execution of the containment step makes for an instance with these ENIs. */
async function contain(instanceId: string, enis: readonly string[]): Promise<ForwardedCall[]> {
  const start = received.length;
  await ec2.send(
    new CreateTagsCommand({
      Resources: [instanceId],
      Tags: [
        { Key: 'ir:incident-id', Value: 'inc-1' },
        { Key: 'ir:status', Value: 'containing' },
      ],
    }),
  );
  for (const eni of enis) {
    for (const group of [CONVERSION, ISOLATION]) {
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: [group] }),
      );
    }
  }
  await tagContained(instanceId);
  return received.slice(start);
}

async function tagContained(instanceId: string): Promise<ForwardedCall[]> {
  const start = received.length;
  await ec2.send(
    new CreateTagsCommand({
      Resources: [instanceId],
      Tags: [
        { Key: 'ir:incident-id', Value: 'inc-1' },
        { Key: 'ir:status', Value: 'contained' },
        { Key: 'ir:contained-at', Value: '2026-01-01T00:00:00.000Z' },
      ],
    }),
  );
  return received.slice(start);
}

const isolated = (instanceId: string, enis: readonly string[]) => ({
  instanceId,
  interfaces: enis.map((networkInterfaceId) => ({ networkInterfaceId, groupIds: [ISOLATION] })),
});

describe('countContainments', () => {
  it('counts no duplicate when each instance was contained once', async () => {
    // Prepare
    const calls = [...(await contain('i-1', ['eni-1a', 'eni-1b'])), ...(await contain('i-2', ['eni-2a']))];
    // Act
    const count = countContainments(
      calls,
      [isolated('i-1', ['eni-1a', 'eni-1b']), isolated('i-2', ['eni-2a'])],
      new Set([ISOLATION]),
    );
    // Assess
    expect(count).toMatchObject({
      instances: 2,
      isolated: 2,
      executions: 2,
      isolationMoves: 3,
      duplicates: 0,
    });
  });

  it('counts a repeat that found the ENIs isolated (it moves nothing, but tags again)', async () => {
    // Prepare: the second run of the step reads the ENIs as isolated and only writes the final tag.
    const calls = [...(await contain('i-3', ['eni-3a'])), ...(await tagContained('i-3'))];
    // Act
    const count = countContainments(calls, [isolated('i-3', ['eni-3a'])], new Set([ISOLATION]));
    // Assess
    expect(count).toMatchObject({ executions: 2, isolationMoves: 1, duplicates: 1 });
    expect(count.duplicated.map((entry) => entry.instanceId)).toEqual(['i-3']);
  });

  it('counts two racing runs once each, not once per ENI and tag', async () => {
    // Prepare: two replicas both moved both ENIs and both wrote the final tag.
    const calls = [
      ...(await contain('i-4', ['eni-4a', 'eni-4b'])),
      ...(await contain('i-4', ['eni-4a', 'eni-4b'])),
    ];
    // Act
    const count = countContainments(calls, [isolated('i-4', ['eni-4a', 'eni-4b'])], new Set([ISOLATION]));
    // Assess
    expect(count).toMatchObject({ executions: 2, isolationMoves: 4, duplicates: 1 });
  });

  it('ignores failed and dry-run calls, and reads the AWS state back', async () => {
    // Prepare: a refused duplicate write and a dry run changed nothing.
    const calls = await contain('i-5', ['eni-5a']);
    const refused = (await tagContained('i-5')).map((call) => ({ ...call, status: 400 }));
    const start = received.length;
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: 'eni-5a',
        Groups: [ISOLATION],
        DryRun: true,
      }),
    );
    const dryRun = received.slice(start);
    // Act: the ENI still carries its original group besides the isolation group.
    const count = countContainments(
      [...calls, ...refused, ...dryRun],
      [
        {
          instanceId: 'i-5',
          interfaces: [{ networkInterfaceId: 'eni-5a', groupIds: [ISOLATION, 'sg-0app'] }],
        },
      ],
      new Set([ISOLATION]),
    );
    // Assess
    expect(count).toMatchObject({ executions: 1, isolationMoves: 1, duplicates: 0, isolated: 0 });
  });
});
