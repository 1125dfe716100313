import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPod } from '../../../src/actions/eks/kube/api.js';
import { connectCluster } from '../../../src/actions/eks/kube/connect.js';
import { EKS_TOKEN_PREFIX, eksToken } from '../../../src/actions/eks/kube/eks-token.js';
import { ResourceNotFoundError } from '../../../src/errors.js';
import { fixture, type ReplayServer, startReplayServer } from '../../kube-replay/replay-server.js';
import { stepContext, testCredentials } from '../../kube-replay/step-context.js';

/*
 * No kube-apiserver is available from our registries: these run on recorded requests. The API
 * server is a local HTTPS server with its own CA replaying recorded answers (./replay-server.ts); the
 * EKS API (DescribeCluster) is a local HTTP server replaying the API reference's response.
 */

/** The SDK's own SHA-256, as the isolator's STS client carries it. */
const Sha256 = new STSClient({ region: 'us-east-1' }).config.sha256;

/** The presigned URL inside a token. */
function urlOf(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).not.toMatch(/[=+/]/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('eksToken', () => {
  it('is k8s-aws-v1. and a GetCallerIdentity URL presigned for 60 s with x-k8s-aws-id signed', async () => {
    // Prepare
    const credentials = testCredentials();
    const now = new Date('2026-12-07T10:00:00Z');

    // Act
    const token = await eksToken({
      clusterName: 'my-cluster',
      region: 'eu-west-1',
      credentials,
      sha256: Sha256,
      now,
    });

    // Assess
    const url = urlOf(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261207T100000Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      `${credentials.accessKeyId}/20261207/eu-west-1/sts/aws4_request`,
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The cluster is bound by the signed header, not a query parameter.
    expect(url.searchParams.has('x-k8s-aws-id')).toBe(false);
  });

  it('signs differently for another cluster (the header is part of the signature)', async () => {
    // Prepare
    const credentials = testCredentials();
    const now = new Date('2026-12-07T10:00:00Z');
    const input = { region: 'us-east-1', credentials, sha256: Sha256, now };

    // Act
    const one = urlOf(await eksToken({ ...input, clusterName: 'one' }));
    const two = urlOf(await eksToken({ ...input, clusterName: 'two' }));

    // Assess
    expect(one.searchParams.get('X-Amz-Signature')).not.toBe(two.searchParams.get('X-Amz-Signature'));
  });
});

describe('connectCluster', () => {
  let kube: ReplayServer;
  let eks: ReplayServer;
  const credentials = testCredentials();

  beforeAll(async () => {
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
  });
  afterAll(async () => {
    await kube.close();
    await eks.close();
  });

  it('describes the cluster, trusts its CA and sends the EKS token as the bearer', async () => {
    // Prepare
    const described = fixture<{ cluster: Record<string, unknown> }>('eks/describe-cluster.json');
    eks.on('GET', '/clusters/my-cluster', {
      status: 200,
      body: {
        cluster: { ...described.cluster, endpoint: kube.url, certificateAuthority: { data: kube.caData } },
      },
    });
    kube.on('GET', '/api/v1/namespaces/default/pods/nginx-5c4d9b8f7-abcde', {
      status: 200,
      body: fixture('kube/pod.json'),
    });
    const context = stepContext('contain.eks-pod-network', { credentials, endpoints: { eks: eks.url } });

    // Act
    const cluster = await connectCluster(context, 'my-cluster');
    const pod = await readPod(cluster.core, 'default', 'nginx-5c4d9b8f7-abcde');

    // Assess
    expect(cluster.arn).toBe('arn:aws:eks:us-east-1:123456789012:cluster/my-cluster');
    expect(cluster.tags).toEqual({ team: 'payments' });
    expect(pod.spec?.nodeName).toBe('ip-192-168-12-34.us-east-1.compute.internal');
    const request = kube.requests.at(-1);
    const authorization = String(request?.headers.authorization ?? '');
    expect(authorization.startsWith(`Bearer ${EKS_TOKEN_PREFIX}`)).toBe(true);
    const url = urlOf(authorization.slice('Bearer '.length));
    expect(url.searchParams.get('X-Amz-Credential')?.startsWith(`${credentials.accessKeyId}/`)).toBe(true);
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/us-east-1/sts/aws4_request');
  });

  it('refuses a server whose certificate is not signed by the cluster CA', async () => {
    // Prepare: the CA of another server.
    const other = await startReplayServer({ tls: true });
    const described = fixture<{ cluster: Record<string, unknown> }>('eks/describe-cluster.json');
    eks.on('GET', '/clusters/my-cluster', {
      status: 200,
      body: {
        cluster: { ...described.cluster, endpoint: kube.url, certificateAuthority: { data: other.caData } },
      },
    });
    const context = stepContext('contain.eks-pod-network', { credentials, endpoints: { eks: eks.url } });
    const before = kube.requests.length;

    // Act
    const cluster = await connectCluster(context, 'my-cluster');
    const attempt = readPod(cluster.core, 'default', 'nginx-5c4d9b8f7-abcde');

    // Assess
    await expect(attempt).rejects.toThrow();
    expect(kube.requests.length).toBe(before);
    await other.close();
  });

  it('names a missing cluster with ResourceNotFoundError', async () => {
    // Prepare: EKS's 404 for DescribeCluster.
    eks.on('GET', '/clusters/gone', {
      status: 404,
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: { message: 'No cluster found for name: gone.' },
    });
    const context = stepContext('contain.eks-pod-network', { credentials, endpoints: { eks: eks.url } });

    // Act
    const attempt = connectCluster(context, 'gone');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});
