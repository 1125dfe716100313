import { describe, expect, it } from 'vitest';
import { DeployConfigError, parseDeployConfig, tableNameOf } from '../src/config.js';
import { securityHubLabelsFrom } from '../src/constructs/finding-rules.js';

describe('parseDeployConfig', () => {
  it('has a default for everything, so synth runs with no context', () => {
    // Prepare / Act
    const config = parseDeployConfig({});
    // Assess
    expect(config).toMatchObject({
      prefix: 'ir',
      evidenceLockMode: 'COMPLIANCE',
      evidenceRetentionDays: 90,
      shutdownGraceSeconds: 25,
    });
    expect(tableNameOf(config)).toBe('ir-incidents');
  });

  it('reads cdk.json values (numbers, objects) and -c strings alike', () => {
    // Prepare / Act
    const config = parseDeployConfig({
      findingSeverityThreshold: 7,
      notifierSecrets: { IR_SLACK_WEBHOOK_URL: 'ir/slack' },
      memberAccountIds: '111111111111, 222222222222',
    });
    // Assess
    expect(config.findingSeverityThreshold).toBe(7);
    expect(config.notifierSecrets).toEqual({ IR_SLACK_WEBHOOK_URL: 'ir/slack' });
    expect(config.memberAccountIds).toEqual(['111111111111', '222222222222']);
  });

  it('names each offending key', () => {
    // Prepare / Act
    const attempt = () =>
      parseDeployConfig({ shutdownGraceSeconds: 110, prefix: 'IR!', minTasks: 9, maxTasks: 2 });
    // Assess
    expect(attempt).toThrow(DeployConfigError);
    try {
      attempt();
    } catch (error: unknown) {
      expect((error as DeployConfigError).keys).toEqual(expect.arrayContaining(['prefix']));
    }
    expect(() => parseDeployConfig({ shutdownGraceSeconds: 110 })).toThrow(/shutdownGraceSeconds/);
    expect(() => parseDeployConfig({ minTasks: 9, maxTasks: 2 })).toThrow(/minTasks/);
  });

  it('refuses the removed memberRoleName, naming the roles that replaced it', () => {
    // Prepare / Act
    const attempt = () => parseDeployConfig({ memberRoleName: 'ir-response' });
    // Assess
    expect(attempt).toThrow(/memberRoleName: removed.*<prefix>-isolator-response/);
  });

  it('refuses a static API token or auth mode: a deployment authenticates operators with OIDC only', () => {
    // Prepare / Act / Assess
    expect(() => parseDeployConfig({ apiToken: 'x'.repeat(32) })).toThrow(/apiToken: refused.*OIDC only/);
    expect(() => parseDeployConfig({ authMode: 'static-token' })).toThrow(/authMode: refused/);
  });

  it('takes the OIDC issuer only as https, and a role map only to known roles', () => {
    // Prepare / Act
    const config = parseDeployConfig({
      oidcIssuer: 'https://login.example.com/realms/sec',
      oidcAudience: 'incident-response',
      oidcRoleMap: { 'sec-oncall': 'approver' },
    });
    // Assess
    expect(config.oidcRoleMap).toEqual({ 'sec-oncall': 'approver' });
    expect(() => parseDeployConfig({ oidcIssuer: 'http://login.example.com' })).toThrow(/oidcIssuer/);
    expect(() => parseDeployConfig({ oidcRoleMap: { 'sec-oncall': 'root' } })).toThrow(/oidcRoleMap/);
  });

  it('refuses a secret given as a plain notifier variable', () => {
    // Prepare / Act / Assess
    expect(() => parseDeployConfig({ notifierEnvironment: { IR_JIRA_API_TOKEN: 'x' } })).toThrow(
      /notifierEnvironment\.IR_JIRA_API_TOKEN/,
    );
  });
});

describe('securityHubLabelsFrom', () => {
  it('includes the band that contains the threshold and every band above', () => {
    // Prepare / Act / Assess
    expect(securityHubLabelsFrom(7)).toEqual(['HIGH', 'CRITICAL']);
    expect(securityHubLabelsFrom(5.5)).toEqual(['MEDIUM', 'HIGH', 'CRITICAL']);
    expect(securityHubLabelsFrom(9.5)).toEqual(['CRITICAL']);
    expect(securityHubLabelsFrom(1)).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });
});
