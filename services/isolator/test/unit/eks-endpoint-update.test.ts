import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { wantedAccess } from '../../src/actions/eks/endpoint-access.js';
import {
  describeCluster,
  preStateFromTags,
  preStateToTags,
  READ_BACK,
  readBackAccess,
  readBackSubject,
  readBackTiming,
  SHORT_READ_BACK,
  untagCluster,
  updateEndpointAccess,
} from '../../src/actions/eks/endpoint-state.js';

/*
 * Emulator gaps (moto 5.2.5): UpdateClusterConfig replaces the cluster's whole resourcesVpcConfig
 * with what it is sent (AWS merges it, so sending more than the changed fields would be a change of
 * its own), answers `{ cluster }` instead of AWS's `{ update }`, and applies the change at once (AWS
 * keeps the cluster `UPDATING` for minutes and shows the new configuration only after). These tests
 * give the real SDK client AWS's documented answers (fixtures' `_source`) and check the request the
 * action sends and how it reads the answers.
 */
function fixture(name: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as {
    payload: Record<string, unknown>;
  };
  return file.payload;
}

const update = fixture('eks-update-cluster-config.json');
const described = fixture('eks-describe-cluster.json') as { cluster: Record<string, unknown> };

/** The documented DescribeCluster answer with another status and endpoint access. */
function describeAnswer(status: string, vpc: Record<string, unknown>) {
  const cluster = described.cluster;
  return {
    cluster: {
      ...cluster,
      status,
      resourcesVpcConfig: { ...(cluster.resourcesVpcConfig as Record<string, unknown>), ...vpc },
    },
  };
}

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

function clientAnswering(answers: unknown[]) {
  const seen: SeenRequest[] = [];
  const client = new EKSClient({
    region: 'us-east-2',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: {
      handle: async (request: { method: string; path: string; body?: unknown }) => {
        seen.push({
          method: request.method,
          path: request.path,
          body:
            request.body === undefined
              ? undefined
              : JSON.parse(Buffer.from(request.body as string).toString()),
        });
        // The last answer repeats, as a cluster that stays in one state does.
        const body = JSON.stringify((answers.length > 1 ? answers.shift() : answers[0]) ?? {});
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    } as never,
  });
  return { client, seen };
}

const signal = new AbortController().signal;
const fast = { attempts: 3, delayMs: 1 };

describe('updateEndpointAccess (contain.eks-endpoint-access)', () => {
  it('sends only the public-access fields and reads the update AWS documents', async () => {
    // Prepare
    const { client, seen } = clientAnswering([update]);

    // Act
    const sent = await updateEndpointAccess(
      client,
      { name: 'my-eks-cluster' },
      { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
    );

    // Assess: no subnets, security groups or private flag (AWS would merge them, moto replaces)
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/clusters/my-eks-cluster/update-config',
        body: {
          clientRequestToken: expect.any(String),
          resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
        },
      },
    ]);
    expect(sent).toEqual({ updateId: 'ec883c93-2e9e-407c-a22f-8f6fa6e67d4f', status: 'InProgress' });
  });

  it('switching the public endpoint off sends the flag alone', async () => {
    // Prepare
    const { client, seen } = clientAnswering([update]);

    // Act
    await updateEndpointAccess(client, { name: 'my-eks-cluster' }, { endpointPublicAccess: false });

    // Assess
    expect(seen[0]?.body).toEqual({
      clientRequestToken: expect.any(String),
      resourcesVpcConfig: { endpointPublicAccess: false },
    });
  });

  it('fails an update EKS reports as Failed, with its errors', async () => {
    // Prepare: the documented answer, as a failed update
    const failedUpdate = {
      update: {
        ...(update.update as object),
        status: 'Failed',
        errors: [{ errorCode: 'InsufficientFreeAddresses', errorMessage: 'no free addresses' }],
      },
    };
    const { client } = clientAnswering([failedUpdate]);

    // Act
    const attempt = updateEndpointAccess(client, { name: 'my-eks-cluster' }, { endpointPublicAccess: false });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'VerificationFailedError',
      problems: ['InsufficientFreeAddresses: no free addresses'],
    });
  });
});

describe('readBackAccess (contain.eks-endpoint-access read-back)', () => {
  it('reads again while the cluster is UPDATING, and verifies once it is ACTIVE with the new access', async () => {
    // Prepare
    const { client, seen } = clientAnswering([
      describeAnswer('UPDATING', {}),
      describeAnswer('UPDATING', {}),
      describeAnswer('ACTIVE', { publicAccessCidrs: ['203.0.113.0/24'] }),
    ]);

    // Act
    const verified = await readBackAccess(
      client,
      'my-eks-cluster',
      { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
      'test',
      signal,
      fast,
    );

    // Assess
    expect(verified.access).toEqual({
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
    });
    expect(seen).toHaveLength(3);
  });

  it('asks for a later delivery while the update still runs, and fails a finished cluster without the change', async () => {
    // Prepare
    const running = clientAnswering([describeAnswer('UPDATING', {})]);
    const finished = clientAnswering([describeAnswer('ACTIVE', {})]);
    const wanted = { endpointPublicAccess: false };

    // Act
    const later = readBackAccess(running.client, 'my-eks-cluster', wanted, 'test', signal, fast);
    const wrong = readBackAccess(finished.client, 'my-eks-cluster', wanted, 'test', signal, fast);

    // Assess
    await expect(later).rejects.toMatchObject({ retryable: true, reason: 'update-in-progress' });
    await expect(wrong).rejects.toMatchObject({
      name: 'VerificationFailedError',
      problems: ['endpointPublicAccess is true, not false'],
    });
  });
});

describe('readBackTiming (how long contain.eks-endpoint-access waits for its update)', () => {
  /*
   * Why here and not on the emulator: moto 5.2.5 answers UpdateClusterConfig with `{ cluster }` and no
   * `update`, so on the emulator every update looks like one that named none. AWS names the update it
   * started (the documented answer, fixtures/eks-update-cluster-config.json): the long wait must stay
   * for that one. The integration false-success test covers the answer naming none, through the fault
   * proxy (services/isolator/test/integration/false-success.test.ts).
   */
  it("waits the long read-back after AWS's documented answer, and only the short one after an answer naming no update", async () => {
    // Prepare
    const documented = clientAnswering([update]);
    const empty = clientAnswering([{}]);
    const wanted = { endpointPublicAccess: false };

    // Act
    const started = await updateEndpointAccess(documented.client, { name: 'my-eks-cluster' }, wanted);
    const unnamed = await updateEndpointAccess(empty.client, { name: 'my-eks-cluster' }, wanted);

    // Assess
    expect(readBackTiming(started, READ_BACK)).toEqual(READ_BACK);
    expect(readBackTiming(null, READ_BACK)).toEqual(READ_BACK);
    expect(readBackTiming(unnamed, READ_BACK)).toEqual(SHORT_READ_BACK);
    expect(readBackSubject('test', started)).toBe('test');
  });

  it('fails at once a finished cluster without the change after an answer naming no update (TRAPS 16), saying so', async () => {
    // Prepare: the update's answer was an empty success; the cluster is ACTIVE with public access on
    const { client, seen } = clientAnswering([describeAnswer('ACTIVE', {})]);
    const unnamed = { updateId: null, status: null };

    // Act
    const attempt = readBackAccess(
      client,
      'my-eks-cluster',
      { endpointPublicAccess: false },
      readBackSubject('endpoint restriction of EKS cluster my-eks-cluster', unnamed),
      signal,
      { ...readBackTiming(unnamed, READ_BACK), delayMs: 1 },
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'VerificationFailedError',
      message: expect.stringMatching(
        /answered without an update\) not verified: endpointPublicAccess is true, not false$/,
      ),
    });
    expect(seen).toHaveLength(SHORT_READ_BACK.attempts);
  });
});

describe('untagCluster (rollback.eks-endpoint-access removes its record)', () => {
  /*
   * Emulator gap: moto 5.2.5's EKS UntagResource removes only the first of the `tagKeys` it is sent,
   * so the lost-answer integration test cannot read the whole removal back there. AWS's API reference
   * (https://docs.aws.amazon.com/eks/latest/APIReference/API_UntagResource.html): `DELETE
   * /tags/{resourceArn}?tagKeys={tagKeys}`, the keys repeated, up to 50, answered `HTTP/1.1 200` with an
   * empty body, which is what this client is given.
   */
  it('sends every record key in one UntagResource, as AWS documents it', async () => {
    // Prepare
    const seen: { method: string; path: string; query: unknown }[] = [];
    const client = new EKSClient({
      region: 'us-east-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
      requestHandler: {
        handle: async (request: { method: string; path: string; query?: unknown }) => {
          seen.push({ method: request.method, path: request.path, query: request.query });
          return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
        },
      } as never,
    });
    const arn = 'arn:aws:eks:us-east-2:012345678910:cluster/my-eks-cluster';
    const keys = ['ir-record:eks-endpoint-restricted-by', 'ir-record:eks-endpoint-pre-state-0'];

    // Act
    await untagCluster(client, arn, keys);
    await untagCluster(client, arn, []);

    // Assess: one call with both keys; none for no keys
    expect(seen).toEqual([
      { method: 'DELETE', path: `/tags/${encodeURIComponent(arn)}`, query: { tagKeys: keys } },
    ]);
  });
});

describe('the endpoint rule and the pre-state record', () => {
  it('restricts to the allowed CIDRs, switches public off only with private on, and refuses otherwise', async () => {
    // Prepare
    const { client } = clientAnswering([described]);
    const cluster = await describeCluster(client, 'my-eks-cluster');
    const noPrivate = { ...cluster, access: { ...cluster.access, endpointPrivateAccess: false } };
    const publicOff = { ...cluster, access: { ...cluster.access, endpointPublicAccess: false } };

    // Act / Assess
    expect(wantedAccess(cluster, ['203.0.113.0/24'])).toEqual({
      endpointPublicAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
    });
    expect(wantedAccess(cluster, [])).toEqual({ endpointPublicAccess: false });
    expect(wantedAccess(publicOff, [])).toBeUndefined();
    expect(() => wantedAccess(noPrivate, [])).toThrow(/IR_EKS_ENDPOINT_ALLOWED_CIDRS/);
  });

  it('round-trips the endpoint access through tag values EKS accepts, over several tags when long', () => {
    // Prepare
    const cidrs = Array.from({ length: 40 }, (_, i) => `198.51.${i}.0/24`);
    const preState = {
      clusterName: 'c',
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: cidrs,
    };

    // Act
    const tags = preStateToTags(preState) ?? {};

    // Assess: letters, digits, spaces and `_.:/=+-@` only, at most 256 characters each
    expect(Object.keys(tags).length).toBeGreaterThan(1);
    for (const value of Object.values(tags)) {
      expect(value).toMatch(/^[\p{L}\p{N}\s_.:/=+\-@]*$/u);
      expect(value.length).toBeLessThanOrEqual(256);
    }
    expect(preStateFromTags('c', tags)).toEqual(preState);
    expect(() => preStateFromTags('c', { 'ir-record:eks-endpoint-pre-state-0': 'public=maybe' })).toThrow(
      /do not parse/,
    );
  });
});
