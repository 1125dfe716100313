import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { podIdentityAssociations } from '../../src/handlers/eks-cluster.js';

/*
 * Emulator gap: moto 5.2.5 has no EKS pod-identity API (ListPodIdentityAssociations and
 * DescribePodIdentityAssociation answer 404), so the integration test sees the section recorded as
 * unavailable. These tests give the real SDK client AWS's documented answers (fixture `_source`) and
 * check what the evidence records of them. Remove when moto implements pod-identity associations and
 * the integration test asserts on a created one.
 */
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/eks-pod-identity-associations.json', import.meta.url), 'utf8'),
) as { list: unknown; describe: unknown };

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, unknown>;
}

function clientAnswering(answers: unknown[]) {
  const seen: SeenRequest[] = [];
  const client = new EKSClient({
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: {
      handle: async (request: SeenRequest) => {
        seen.push({ method: request.method, path: request.path, query: { ...request.query } });
        const body = JSON.stringify(answers.shift() ?? {});
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

describe('podIdentityAssociations (evidence.collect-eks-cluster)', () => {
  it("lists the service account's associations and records each one's role from AWS's documented answers", async () => {
    // Prepare
    const { client, seen } = clientAnswering([recorded.list, recorded.describe]);

    // Act
    const associations = await podIdentityAssociations(client, 'eks-customer', 'default', 'default');

    // Assess: the list is filtered by namespace and service account, then each association described
    expect(seen).toEqual([
      {
        method: 'GET',
        path: '/clusters/eks-customer/pod-identity-associations',
        query: { namespace: 'default', serviceAccount: 'default' },
      },
      {
        method: 'GET',
        path: '/clusters/eks-customer/pod-identity-associations/a-9njjin9gfghecgocd',
        query: {},
      },
    ]);
    expect(associations).toEqual({
      truncated: false,
      items: [
        {
          associationId: 'a-9njjin9gfghecgocd',
          associationArn:
            'arn:aws:eks:us-west-2:111122223333:podidentityassociation/eks-customer/a-9njjin9gfghecgocd',
          namespace: 'default',
          serviceAccount: 'default',
          roleArn: 'arn:aws:iam::111122223333:role/my-role',
          targetRoleArn: null,
          ownerArn: null,
          createdAt: '2025-05-25T00:52:14.135Z',
          modifiedAt: '2025-05-25T00:52:14.135Z',
          tags: { Key1: 'value1', Key2: 'value2' },
        },
      ],
    });
  });

  it('records no association when AWS lists none for the service account', async () => {
    // Prepare
    const { client, seen } = clientAnswering([{ associations: [] }]);

    // Act
    const associations = await podIdentityAssociations(client, 'eks-customer', 'web', 'web');

    // Assess
    expect(associations).toEqual({ items: [], truncated: false });
    expect(seen).toHaveLength(1);
  });
});
