import { describe, expect, it } from 'vitest';
import { isValidBucketName, queueNames, randomAccountId, uniqueName } from '../../src/index.js';
import { ipv6Subnet64, splitIpv4Cidr } from '../../src/factories/vpc.js';

describe('queueNames', () => {
  it('names the five queues after the prefix', () => {
    // Prepare
    const prefix = 'ir-dev';

    // Act
    const names = queueNames(prefix);

    // Assess
    expect(names).toEqual({
      findings: 'ir-dev-findings',
      coordinator: 'ir-dev-coordinator',
      isolator: 'ir-dev-isolator',
      forensics: 'ir-dev-forensics',
      notifier: 'ir-dev-notifier',
    });
  });
});

describe('isValidBucketName', () => {
  it('accepts S3 names and rejects the rest', () => {
    // Prepare
    const good = ['ir-evidence-123456789012', 'a.b-c'];
    const bad = ['IR-evidence', 'ab', 'a..b', '-ir', '192.168.0.1', 'x'.repeat(64)];

    // Act
    const verdicts = [...good, ...bad].map(isValidBucketName);

    // Assess
    expect(verdicts).toEqual([true, true, false, false, false, false, false, false]);
  });
});

describe('randomAccountId', () => {
  it('gives twelve digits, never the default account', () => {
    // Prepare
    const count = 200;

    // Act
    const ids = Array.from({ length: count }, randomAccountId);

    // Assess
    expect(ids.every((id) => /^\d{12}$/.test(id) && id !== '123456789012')).toBe(true);
    expect(new Set(ids).size).toBe(count);
  });
});

describe('uniqueName', () => {
  it('appends a random suffix', () => {
    // Prepare
    const base = 'ir-test-user';

    // Act
    const [first, second] = [uniqueName(base), uniqueName(base)];

    // Assess
    expect(first).toMatch(/^ir-test-user-[0-9a-f]{8}$/);
    expect(first).not.toBe(second);
  });
});

describe('splitIpv4Cidr', () => {
  it('splits a block into aligned equal parts', () => {
    // Prepare
    const cidr = '10.0.0.0/16';

    // Act
    const one = splitIpv4Cidr(cidr, 1);
    const three = splitIpv4Cidr(cidr, 3);

    // Assess
    expect(one).toEqual(['10.0.0.0/16']);
    expect(three).toEqual(['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18']);
  });

  it('refuses blocks that would be smaller than /28', () => {
    // Prepare
    const cidr = '10.0.0.0/27';

    // Act
    const split = () => splitIpv4Cidr(cidr, 4);

    // Assess
    expect(split).toThrow(/cannot split/);
  });
});

describe('ipv6Subnet64', () => {
  it('picks the n-th /64 of a /56', () => {
    // Prepare
    const block = '2600:1f18:1:a00::/56';

    // Act
    const third = ipv6Subnet64(block, 3);

    // Assess
    expect(third).toBe('2600:1f18:1:a03::/64');
  });
});
