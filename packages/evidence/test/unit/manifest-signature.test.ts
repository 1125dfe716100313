import type { KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { canonicalManifestBytes, checkManifestSignature } from '../../src/manifest-signature.js';

describe('canonicalManifestBytes', () => {
  it('is the same whatever the key order and whitespace of the stored JSON', () => {
    // Prepare
    const a = { schema: 's', sequence: 2, previous: { sha256: 'x', key: 'k' }, artifacts: [{ b: 1, a: 2 }] };
    const b = JSON.parse(
      '{ "artifacts": [ { "a": 2, "b": 1 } ], "previous": {"key":"k","sha256":"x"}, "sequence": 2, "schema": "s" }',
    );
    // Act
    const bytes = [canonicalManifestBytes(a), canonicalManifestBytes(b)];
    // Assess
    expect(bytes[0]?.toString('utf8')).toBe(
      '{"artifacts":[{"a":2,"b":1}],"previous":{"key":"k","sha256":"x"},"schema":"s","sequence":2}',
    );
    expect(bytes[1]?.equals(bytes[0] ?? Buffer.alloc(0))).toBe(true);
  });

  it('leaves out the signature and covers every other field, known to the schema or not', () => {
    // Prepare
    const manifest = { sequence: 1, signature: { value: 'AAAA' } };
    // Act
    const unsigned = canonicalManifestBytes(manifest).toString('utf8');
    const extended = canonicalManifestBytes({ ...manifest, note: 'added later' }).toString('utf8');
    // Assess
    expect(unsigned).toBe('{"sequence":1}');
    expect(extended).not.toBe(unsigned);
  });
});

describe('checkManifestSignature', () => {
  // A client that must not be called: the manifest is judged before KMS is asked.
  const unused = {
    send: async () => {
      throw new Error('KMS must not be called');
    },
  } as unknown as KMSClient;

  it('reports a manifest without a signature as unsigned', async () => {
    // Prepare / Act
    const check = await checkManifestSignature(unused, 'alias/k', { sequence: 1 });
    // Assess
    expect(check).toEqual({ status: 'unsigned', reason: 'unsigned: the manifest carries no signature' });
  });

  it('reports a malformed signature as invalid', async () => {
    // Prepare / Act
    const check = await checkManifestSignature(unused, 'alias/k', {
      sequence: 1,
      signature: { keyId: 'k', algorithm: 'RSASSA_PSS_SHA_256', value: 'AAAA' },
    });
    // Assess
    expect(check.status).toBe('invalid');
  });

  it('treats KMS KMSInvalidSignatureException as an invalid signature, naming the key', async () => {
    // Prepare: AWS KMS answers an invalid signature with this error (the emulator with false);
    // mocked because moto never raises it.
    const rejecting = {
      send: async () =>
        Promise.reject(Object.assign(new Error('bad'), { name: 'KMSInvalidSignatureException' })),
    } as unknown as KMSClient;
    const manifest = {
      sequence: 1,
      signature: { keyId: 'arn:other', algorithm: 'ECDSA_SHA_256', value: 'AAAA' },
    };
    // Act
    const check = await checkManifestSignature(rejecting, 'alias/k', manifest);
    // Assess
    expect(check).toEqual({
      status: 'invalid',
      reason: 'signature does not verify with the signing key alias/k (the manifest names key arn:other)',
    });
  });

  it('throws when KMS refuses the call: nothing can be said about the evidence then', async () => {
    // Prepare: mocked because the emulator does not enforce IAM.
    const denied = {
      send: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    } as unknown as KMSClient;
    const manifest = { signature: { keyId: 'k', algorithm: 'ECDSA_SHA_256', value: 'AAAA' } };
    // Act / Assess
    await expect(checkManifestSignature(denied, 'alias/k', manifest)).rejects.toThrow('denied');
  });
});
