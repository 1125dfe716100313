import { SignatureV4 } from '@smithy/signature-v4';

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];

/** The prefix EKS's authenticator expects before the base64url-encoded presigned URL. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** The header that binds a token to one cluster; signed, so the token is useless for another. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

/**
 * How long the presigned URL is valid, in seconds. EKS accepts tokens for up to 15 minutes whatever
 * the expiry says; 60 s is what `aws eks get-token` signs, and all a single action needs.
 */
export const TOKEN_EXPIRY_SECONDS = 60;

/** What {@link eksToken} signs with: the credentials and hash of the acting STS client. */
export interface EksTokenInput {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: SignerInit['credentials'];
  readonly sha256: SignerInit['sha256'];
  /** The signing time (tests pin it). */
  readonly now?: Date;
}

/**
 * The bearer token EKS accepts for the principal behind `credentials` (what `aws eks get-token`
 * prints): `k8s-aws-v1.` and the unpadded base64url of an STS `GetCallerIdentity` URL presigned for
 * 60 s with the `x-k8s-aws-id: <cluster>` header signed. The API server's authenticator calls that URL
 * and maps the caller's ARN through the cluster's access entries. Signed by the SDK's own SigV4
 * signer, never by hand. The host is always the regional AWS STS endpoint (the authenticator accepts
 * no other), whatever endpoint the SDK clients use.
 */
export async function eksToken(input: EksTokenInput): Promise<string> {
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: 'sts',
    sha256: input.sha256,
  });
  const hostname = `sts.${input.region}.amazonaws.com`;
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
    },
    { expiresIn: TOKEN_EXPIRY_SECONDS, ...(input.now ? { signingDate: input.now } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (item) => `${encodeURIComponent(key)}=${encodeURIComponent(String(item ?? ''))}`,
      ),
    )
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}
