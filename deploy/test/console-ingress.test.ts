import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { operatorApi } from '../../packages/contracts/src/api/operator-api.js';
import { prove } from '../../tools/iam-proof/src/prove.js';
import { PROOF_SYNTH_CONTEXT } from '../../tools/iam-proof/src/synth-context.js';
import type { CfnTemplate } from '../../tools/iam-proof/src/template-resolver.js';
import { DeployConfigError, parseDeployConfig } from '../src/config.js';
import {
  CONSOLE_DIR_IN_IMAGE,
  CONSOLE_HSTS,
  CONSOLE_INGRESS_LOG_PREFIX,
} from '../src/constructs/console-ingress.js';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import { buildTestApp, repoRoot } from './build.js';
import { itBehavesAsACoordinatorIngress } from './coordinator-ingress-behaviour.js';
import { groupIdOf, logicalIdOf, type Resource, resourcesOf, rulesOf } from './template.js';

type Condition = {
  Field: string;
  HttpRequestMethodConfig?: { Values: string[] };
  PathPatternConfig?: { Values: string[] };
};
type ListenerRule = {
  Priority: number;
  Conditions: Condition[];
  Actions: unknown[];
  ListenerArn: unknown;
};

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/5f1e2d3c-1111-2222-3333-444455556666';
const CIDRS = '10.64.0.0/16, 192.168.10.0/24';
const CONSOLE = { consoleCertificateArn: CERTIFICATE, consoleAllowedCidrs: CIDRS };
const SLACK = {
  slackSigningSecretName: 'ir/slack-signing-secret',
  slackBotTokenSecretName: 'ir/slack-bot-token',
  slackApprovalChannel: 'C0123456789',
  slackIngressCertificateArn:
    'arn:aws:acm:eu-west-1:123456789012:certificate/0b7e6a9c-1111-2222-3333-444455556666',
};

/** The coordinator container's environment, by name. */
function coordinatorEnvironment(template: Template): Record<string, unknown> {
  const [, definition] = resourcesOf(template, 'AWS::ECS::TaskDefinition').find(([, candidate]) =>
    JSON.stringify(candidate.Properties.ContainerDefinitions).includes('"Name":"response-coordinator"'),
  ) as [string, Resource];
  const [container] = definition.Properties.ContainerDefinitions as {
    Environment: { Name: string; Value: unknown }[];
  }[];
  return Object.fromEntries((container?.Environment ?? []).map((entry) => [entry.Name, entry.Value]));
}

/** An ALB path pattern as a regular expression: `*` any characters, `?` one, case-sensitive, whole path. */
const pathPattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );

/**
 * What the listener does with a request, as an ALB evaluates its rules: the first rule by priority
 * whose method and path conditions both match (the path only, never the query) forwards; else the
 * default action.
 */
function routeOf(rules: readonly ListenerRule[], method: string, url: string): 'forward' | 'default' {
  const path = url.split('?')[0] ?? url;
  const match = [...rules]
    .sort((a, b) => a.Priority - b.Priority)
    .find((rule) =>
      rule.Conditions.every((condition) => {
        if (condition.Field === 'http-request-method')
          return condition.HttpRequestMethodConfig?.Values.includes(method) ?? false;
        if (condition.Field === 'path-pattern')
          return condition.PathPatternConfig?.Values.some((value) => pathPattern(value).test(path)) ?? false;
        return false;
      }),
    );
  return match ? 'forward' : 'default';
}

/** An `operatorApi` URL with its parameters filled in, as a client would call it. */
const concrete = (url: string) =>
  url.replace(':id', 'inc-20240101-abcd').replace(':step', 'contain-1').replace(':queue', 'isolator');

describe('IncidentResponseStack without consoleCertificateArn', () => {
  it('has no console entry, and the coordinator no console variables', () => {
    // Prepare / Act
    const { system, systemTemplate } = buildTestApp();
    // Assess
    expect(system.consoleIngress).toBeUndefined();
    expect(resourcesOf(systemTemplate, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual([]);
    expect(Object.keys(systemTemplate.toJSON().Outputs)).not.toContain('ConsoleDnsName');
    expect(
      Object.keys(coordinatorEnvironment(systemTemplate)).filter((name) => /CONSOLE/.test(name)),
    ).toEqual([]);
  }, 120_000);

  it('gives the coordinator the console client id and IdP origins on their own, for a port-forwarded console', () => {
    // Prepare / Act
    const { system, systemTemplate } = buildTestApp({
      consoleClientId: 'incident-console',
      consoleIdpOrigins: 'https://IR-Prod.auth.eu-west-1.amazoncognito.com/',
    });
    const environment = coordinatorEnvironment(systemTemplate);
    // Assess: normalised as the coordinator compares origins (URL.origin: lower case, no slash).
    expect(system.consoleIngress).toBeUndefined();
    expect(environment).toMatchObject({
      IR_CONSOLE_DIR: CONSOLE_DIR_IN_IMAGE,
      IR_CONSOLE_CLIENT_ID: 'incident-console',
      IR_CONSOLE_IDP_ORIGINS: 'https://ir-prod.auth.eu-west-1.amazoncognito.com',
    });
  }, 120_000);
});

describe('IncidentResponseStack with consoleCertificateArn (ConsoleIngress)', () => {
  const built = buildTestApp({
    ...CONSOLE,
    consoleClientId: 'ir-console',
    consoleIdpOrigins: 'https://ir.auth.eu-west-1.amazoncognito.com',
  });
  const template = built.systemTemplate;
  const ingress = built.system.consoleIngress;
  if (!ingress) throw new Error('no console entry built');
  const targetGroup = logicalIdOf(ingress.targetGroup);
  const listenerRules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(
    ([, rule]) => rule.Properties as unknown as ListenerRule,
  );

  itBehavesAsACoordinatorIngress({
    built,
    ingress,
    scheme: 'internal',
    subnetGroup: 'services',
    certificateArn: CERTIFICATE,
    allowedCidrs: ['10.64.0.0/16', '192.168.10.0/24'],
    logPrefix: CONSOLE_INGRESS_LOG_PREFIX,
    logSid: 'ConsoleIngressAccessLogs',
    output: 'Console',
    registeredPath: '/console/callback',
    acknowledged: [],
  });

  it('adds HSTS to every answer, and no other listener attribute', () => {
    // Prepare / Act
    const [[, listener]] = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener') as [
      [string, Resource],
    ];
    // Assess
    expect(listener.Properties.ListenerAttributes).toEqual([
      { Key: 'routing.http.response.strict_transport_security.header_value', Value: CONSOLE_HSTS },
    ]);
  });

  it('forwards every route of the operator API and the console’s pages to the coordinator’s target group', () => {
    // Prepare
    const api = Object.values(operatorApi).map((route) => [route.method, concrete(route.url)] as const);
    const console = [
      ['GET', '/console'],
      ['GET', '/console/'],
      ['GET', '/console/config.json'],
      ['GET', '/console/assets/index-4f2a1b.js'],
      ['GET', '/console/incidents/inc-20240101-abcd'],
      ['GET', '/console/callback?code=abc&state=def'],
      ['HEAD', '/console/'],
    ] as const;
    // Act
    const dropped = [...api, ...console].filter(
      ([method, url]) => routeOf(listenerRules, method, url) !== 'forward',
    );
    // Assess
    expect(api.map(([, url]) => url)).toEqual(expect.arrayContaining(['/dlq', '/stats/response-times']));
    expect(dropped).toEqual([]);
    for (const rule of listenerRules) {
      expect(rule.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: targetGroup } }]);
    }
  });

  it('answers 404 from the load balancer to metrics, health, Slack and anything the API does not serve', () => {
    // Prepare
    const others = [
      ['GET', '/metrics'],
      ['GET', '/healthz'],
      ['GET', '/readyz'],
      ['POST', '/slack/interactions'],
      ['GET', '/'],
      ['GET', '/incidentsX'],
      ['GET', '/consoleX/'],
      ['GET', '/dlqs'],
      ['GET', '/stats'],
      ['GET', '/Console/'],
      ['POST', '/console/'],
      ['DELETE', '/incidents/inc-1'],
      ['PUT', '/dlq/isolator/redrive'],
      ['OPTIONS', '/incidents'],
    ] as const;
    // Act
    const forwarded = others.filter(([method, url]) => routeOf(listenerRules, method, url) === 'forward');
    // Assess
    expect(forwarded).toEqual([]);
  });

  it('keeps every rule within the ALB’s limits: three values per condition, five per rule', () => {
    // Prepare / Act
    const counts = listenerRules.map((rule) =>
      rule.Conditions.map(
        (condition) =>
          (condition.HttpRequestMethodConfig?.Values.length ?? 0) +
          (condition.PathPatternConfig?.Values.length ?? 0),
      ),
    );
    // Assess
    expect(listenerRules.length).toBeGreaterThan(0);
    for (const perCondition of counts) {
      for (const count of perCondition) expect(count).toBeLessThanOrEqual(3);
      expect(perCondition.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(5);
    }
    expect(new Set(listenerRules.map((rule) => rule.Priority)).size).toBe(listenerRules.length);
  });

  it('gives the coordinator the console’s directory in the image, its client id and the IdP origins', () => {
    // Prepare / Act
    const environment = coordinatorEnvironment(template);
    // Assess
    expect(environment).toMatchObject({
      IR_CONSOLE_DIR: CONSOLE_DIR_IN_IMAGE,
      IR_CONSOLE_CLIENT_ID: 'ir-console',
      IR_CONSOLE_IDP_ORIGINS: 'https://ir.auth.eu-west-1.amazoncognito.com',
      IR_AUTH_MODE: 'oidc',
    });
  });
});

describe('IncidentResponseStack with the console entry and the Slack ingress', () => {
  it('has two load balancers sharing one log-delivery mapping, both targeting the coordinator; the proof still passes', async () => {
    // Prepare
    const built = buildTestApp({ ...PROOF_SYNTH_CONTEXT, ...SLACK, ...CONSOLE });
    const template = built.systemTemplate;
    const { consoleIngress, slackIngress } = built.system;
    if (!consoleIngress || !slackIngress) throw new Error('both entries expected');
    const coordinatorGroup = logicalIdOf(built.system.services['response-coordinator'].securityGroup);
    // Act
    const balancers = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(
      ([, balancer]) => balancer.Properties.Scheme,
    );
    const mappings = Object.values(template.toJSON().Mappings as Record<string, unknown>).filter((mapping) =>
      JSON.stringify(mapping).includes('127311923021'),
    );
    const coordinatorService = resourcesOf(template, 'AWS::ECS::Service').find(
      ([, service]) => service.Properties.ServiceName === 'ir-response-coordinator',
    )?.[1];
    const coordinatorSources = rulesOf(template, coordinatorGroup, 'Ingress').map(
      (rule) => rule.SourceSecurityGroupId,
    );
    const result = await prove(
      {
        system: template.toJSON() as CfnTemplate,
        member: built.memberTemplate.toJSON() as CfnTemplate,
      },
      [],
      { region: 'us-east-1' },
    );
    // Assess
    expect(balancers.sort()).toEqual(['internal', 'internet-facing']);
    expect(mappings).toHaveLength(1);
    expect(coordinatorService?.Properties.LoadBalancers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ TargetGroupArn: { Ref: logicalIdOf(consoleIngress.targetGroup) } }),
        expect.objectContaining({ TargetGroupArn: { Ref: logicalIdOf(slackIngress.targetGroup) } }),
      ]),
    );
    expect(coordinatorSources).toEqual(
      expect.arrayContaining([
        groupIdOf(logicalIdOf(consoleIngress.securityGroup)),
        groupIdOf(logicalIdOf(slackIngress.securityGroup)),
      ]),
    );
    expect(coordinatorSources).toHaveLength(4);
    expect(result.findings).toEqual([]);
    expect(unsuppressedNagFindings(built.system)).toEqual([]);
  }, 180_000);
});

describe('parseDeployConfig console keys', () => {
  it('refuses a certificate without allowed CIDRs, and CIDRs without a certificate', () => {
    // Prepare / Act / Assess
    expect(() => parseDeployConfig({ consoleCertificateArn: CERTIFICATE })).toThrow(DeployConfigError);
    expect(() => parseDeployConfig({ consoleCertificateArn: CERTIFICATE })).toThrow(
      /consoleAllowedCidrs: is required with consoleCertificateArn/,
    );
    expect(() => parseDeployConfig({ consoleAllowedCidrs: '10.0.0.0/8' })).toThrow(
      /consoleAllowedCidrs: is only used with consoleCertificateArn/,
    );
  });

  it('refuses 0.0.0.0/0 and anything but IPv4 CIDRs, naming the item', () => {
    // Prepare / Act / Assess
    expect(() =>
      parseDeployConfig({ consoleCertificateArn: CERTIFICATE, consoleAllowedCidrs: '10.0.0.0/8,0.0.0.0/0' }),
    ).toThrow(/consoleAllowedCidrs\.1: admits every address/);
    expect(() =>
      parseDeployConfig({ consoleCertificateArn: CERTIFICATE, consoleAllowedCidrs: 'vpn.example.com' }),
    ).toThrow(/consoleAllowedCidrs\.0: an IPv4 CIDR/);
    expect(parseDeployConfig(CONSOLE).consoleAllowedCidrs).toEqual(['10.64.0.0/16', '192.168.10.0/24']);
  });

  it('refuses what is not an ACM certificate ARN', () => {
    // Prepare / Act / Assess
    expect(() =>
      parseDeployConfig({
        ...CONSOLE,
        consoleCertificateArn: 'arn:aws:iam::123456789012:server-certificate/x',
      }),
    ).toThrow(/consoleCertificateArn: an ACM certificate ARN/);
  });

  it('refuses IdP origins that are not https origins, and client ids with spaces', () => {
    // Prepare
    const notOrigins = [
      'http://auth.example.com',
      'https://auth.example.com/oauth2/token',
      'auth.example.com',
      'https://auth.example.com?x=1',
    ];
    // Act / Assess
    for (const value of notOrigins) {
      expect(() => parseDeployConfig({ consoleIdpOrigins: value }), value).toThrow(
        /consoleIdpOrigins\.0: an https origin/,
      );
    }
    expect(() => parseDeployConfig({ consoleClientId: 'ir console' })).toThrow(
      /consoleClientId: a client id/,
    );
    expect(
      parseDeployConfig({ consoleIdpOrigins: 'https://a.example.com:8443, https://B.example.com/' })
        .consoleIdpOrigins,
    ).toEqual(['https://a.example.com:8443', 'https://b.example.com']);
  });
});

describe('CONSOLE_DIR_IN_IMAGE', () => {
  it('is where the Dockerfile’s runtime stage holds the console it builds', () => {
    // Prepare
    const dockerfile = readFileSync(join(repoRoot, 'docker', 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.search(/^FROM .* AS runtime$/m));
    const workdir = /^WORKDIR (\S+)$/m.exec(runtime)?.[1];
    // Act
    const relative = CONSOLE_DIR_IN_IMAGE.slice(`${workdir}/`.length);
    // Assess: the workspace is copied whole into WORKDIR, and the build fails without the console.
    expect(CONSOLE_DIR_IN_IMAGE.startsWith(`${workdir}/`)).toBe(true);
    expect(runtime).toMatch(/^COPY --from=\S+ .*\/app \/app$/m);
    expect(dockerfile).toContain(`test -f ${relative}/index.html`);
  });
});
