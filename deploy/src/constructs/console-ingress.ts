import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { CoordinatorIngress, type CoordinatorIngressProps } from './coordinator-ingress.js';

/** Key prefix of the console entry's access logs in the log bucket. */
export const CONSOLE_INGRESS_LOG_PREFIX = 'console-ingress';

/** Where the coordinator serves the console (services/response-coordinator/src/console/console-routes.ts). */
export const CONSOLE_PATH = '/console';

/**
 * Where the image holds the built console: the Dockerfile's runtime stage keeps the workspace layout
 * under `WORKDIR /app` and its build stage fails without `packages/console/dist/index.html`. Given as
 * `IR_CONSOLE_DIR` whenever a console key is set, so a coordinator image without the console stops at
 * start naming the variable instead of serving a 404 behind a working load balancer.
 */
export const CONSOLE_DIR_IN_IMAGE = '/app/packages/console/dist';

/** One forwarding rule: requests with one of these methods on one of these paths reach the coordinator. */
export interface ConsoleRoute {
  readonly id: string;
  readonly methods: readonly string[];
  /** ALB path patterns (case-sensitive; `*` matches any characters, `/` included). */
  readonly paths: readonly string[];
}

/**
 * The coordinator's operator paths, the only ones the console's entry forwards: the console's files
 * and the operator API (`operatorApi` in packages/contracts: `/incidents…`, `/stats/…`, `/dlq…`,
 * `/suppressions…`), with the methods they answer. Never `/metrics`, `/healthz`, `/readyz` (the VPC's Prometheus and the load
 * balancer itself) nor `/slack/interactions` (the Slack ingress's). Each path is written twice, bare
 * and with `/*`, so `/incidentsX` is not forwarded. An ALB rule takes at most five condition values,
 * hence one rule per prefix. deploy/test/console-ingress.test.ts checks every route of `operatorApi`
 * is forwarded, so a new route with a new prefix fails there until it is listed here.
 */
export const CONSOLE_ROUTES: readonly ConsoleRoute[] = [
  { id: 'Console', methods: ['GET', 'HEAD'], paths: [CONSOLE_PATH, `${CONSOLE_PATH}/*`] },
  { id: 'Incidents', methods: ['GET', 'POST'], paths: ['/incidents', '/incidents/*'] },
  { id: 'DeadLetters', methods: ['GET', 'POST'], paths: ['/dlq', '/dlq/*'] },
  { id: 'Stats', methods: ['GET'], paths: ['/stats/*'] },
  { id: 'Suppressions', methods: ['GET', 'POST'], paths: ['/suppressions', '/suppressions/*'] },
];

/**
 * Strict-Transport-Security the load balancer adds to every answer: the console is only ever served
 * over HTTPS here (no HTTP listener), so browsers need never try plain HTTP on this host. No
 * `includeSubDomains`: the host name is the operator's, its siblings are not ours to pin.
 */
export const CONSOLE_HSTS = 'max-age=31536000';

/**
 * The optional HTTPS entry to the operator console and API (issue 19): an internal Application Load
 * Balancer in the services' private subnets (a {@link CoordinatorIngress}) with the operator's ACM
 * certificate, admitting 443 only from the given CIDRs, forwarding only {@link CONSOLE_ROUTES} to the
 * coordinator and answering 404 to anything else.
 *
 * Why it exists: the console's sign-in computes its PKCE challenge with the browser's Web Crypto,
 * which exists only in secure contexts (https, or localhost); the Cloud Map address is plain http.
 * Why internal: the console and the API it calls hold incidents and approvals, so they are reached the
 * way the rest of the security account's admin surfaces are, over a VPN or Direct Connect into the VPC,
 * never from the internet; the CIDRs narrow it to the networks operators come from. Every request
 * still needs an operator's OIDC access token (the console's files excepted, which hold no data).
 */
export class ConsoleIngress extends CoordinatorIngress {
  constructor(scope: Construct, id: string, props: CoordinatorIngressProps) {
    super(scope, id, props, {
      name: 'operator console',
      ingressRuleDescription: 'Operator console and API (HTTPS)',
      internetFacing: false,
      logPrefix: CONSOLE_INGRESS_LOG_PREFIX,
      logSid: 'ConsoleIngressAccessLogs',
      // API answers are short; a report (evidence verified on the way) the longest of them.
      deregistrationDelay: Duration.seconds(30),
    });
    this.listener.setAttribute('routing.http.response.strict_transport_security.header_value', CONSOLE_HSTS);
    CONSOLE_ROUTES.forEach((route, index) => {
      this.listener.addAction(route.id, {
        priority: 10 * (index + 1),
        conditions: [
          elbv2.ListenerCondition.httpRequestMethods([...route.methods]),
          elbv2.ListenerCondition.pathPatterns([...route.paths]),
        ],
        action: elbv2.ListenerAction.forward([this.targetGroup]),
      });
    });
  }
}
