import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    // Act
    const config = loadConfig({});
    // Assess
    expect(config).toMatchObject({
      IR_NACL_RULE_MIN: 1,
      IR_NACL_RULE_MAX: 99,
      IR_S3_ALLOW_PRINCIPAL_ARNS: [],
      IR_STEP_MAX_ATTEMPTS: 4,
      IR_ADMIN_PORTS: [22, 3389],
    });
    expect(config.IR_FORENSICS_CIDR).toBeUndefined();
  });

  it('parses the forensics CIDR and the allowed principals', () => {
    // Act
    const config = loadConfig({
      IR_FORENSICS_CIDR: '10.9.0.0/24',
      IR_S3_ALLOW_PRINCIPAL_ARNS:
        'arn:aws:iam::111122223333:role/forensics, arn:aws:iam::111122223333:role/admin',
    });
    // Assess
    expect(config.IR_FORENSICS_CIDR).toBe('10.9.0.0/24');
    expect(config.IR_S3_ALLOW_PRINCIPAL_ARNS).toHaveLength(2);
  });

  it('parses IR_ADMIN_PORTS as a port list and names it when it is wrong', () => {
    // Act
    const config = loadConfig({ IR_ADMIN_PORTS: '22, 3389,5985,5986' });
    // Assess
    expect(config.IR_ADMIN_PORTS).toEqual([22, 3389, 5985, 5986]);
    expect(() => loadConfig({ IR_ADMIN_PORTS: 'ssh' })).toThrow(/IR_ADMIN_PORTS/);
    expect(() => loadConfig({ IR_ADMIN_PORTS: '70000' })).toThrow(/IR_ADMIN_PORTS/);
    expect(() => loadConfig({ IR_ADMIN_PORTS: ' , ' })).toThrow(/IR_ADMIN_PORTS/);
  });

  it('parses IR_EKS_ENDPOINT_ALLOWED_CIDRS as IPv4 CIDRs, empty by default, and refuses /0', () => {
    // Act
    const config = loadConfig({ IR_EKS_ENDPOINT_ALLOWED_CIDRS: '203.0.113.0/24, 198.51.100.7/32' });
    // Assess
    expect(config.IR_EKS_ENDPOINT_ALLOWED_CIDRS).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
    expect(loadConfig({}).IR_EKS_ENDPOINT_ALLOWED_CIDRS).toEqual([]);
    expect(() => loadConfig({ IR_EKS_ENDPOINT_ALLOWED_CIDRS: '0.0.0.0/0' })).toThrow(
      /IR_EKS_ENDPOINT_ALLOWED_CIDRS/,
    );
    expect(() => loadConfig({ IR_EKS_ENDPOINT_ALLOWED_CIDRS: '203.0.113.5' })).toThrow(
      /IR_EKS_ENDPOINT_ALLOWED_CIDRS/,
    );
  });

  it('names the variable of each error and checks combinations', () => {
    // Act / Assess
    expect(() => loadConfig({ IR_FORENSICS_CIDR: '10.9.0.0' })).toThrow(/IR_FORENSICS_CIDR/);
    expect(() => loadConfig({ IR_S3_ALLOW_PRINCIPAL_ARNS: 'forensics' })).toThrow(
      /IR_S3_ALLOW_PRINCIPAL_ARNS/,
    );
    expect(() => loadConfig({ IR_NACL_RULE_MIN: '50', IR_NACL_RULE_MAX: '10' })).toThrow(
      /IR_NACL_RULE_MIN.*IR_NACL_RULE_MAX/,
    );
    expect(() => loadConfig({ IR_CONVERSION_HOLD_SECONDS: '30', IR_HANDLER_TIMEOUT_SECONDS: '10' })).toThrow(
      /IR_CONVERSION_HOLD_SECONDS/,
    );
  });
});
