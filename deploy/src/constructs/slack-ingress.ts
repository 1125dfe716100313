import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { ANYWHERE, CoordinatorIngress, type CoordinatorIngressProps } from './coordinator-ingress.js';

/** The coordinator's Slack interactivity route (services/response-coordinator/src/slack/interactions.ts). */
export const SLACK_INTERACTIONS_PATH = '/slack/interactions';

/** Key prefix of the load balancer's access logs in the log bucket. */
export const SLACK_INGRESS_LOG_PREFIX = 'slack-ingress';

export interface SlackIngressProps extends Omit<CoordinatorIngressProps, 'allowedCidrs'> {
  /** IPv4 CIDRs admitted on 443; empty: anywhere (Slack publishes no fixed egress addresses). */
  readonly allowedCidrs: readonly string[];
}

/**
 * The optional public door for Slack's button clicks: an internet-facing Application Load Balancer in
 * the public subnets (a {@link CoordinatorIngress}) whose only rule forwards `POST /slack/interactions`
 * to the coordinator on its HTTP port; everything else gets a 404 from the load balancer and never
 * reaches a task, so the operator API stays private (Cloud Map, `ApiAccess`, or the console's internal
 * entry).
 *
 * Why this is enough: Slack's v0 request signature, checked by the coordinator with the signing
 * secret (5-minute replay window), is what authenticates a click. Slack publishes no fixed egress
 * addresses, so the allowed CIDRs default to anywhere; the load balancer narrows the surface to one
 * method on one path, it does not authenticate.
 */
export class SlackIngress extends CoordinatorIngress {
  constructor(scope: Construct, id: string, props: SlackIngressProps) {
    super(
      scope,
      id,
      { ...props, allowedCidrs: props.allowedCidrs.length > 0 ? props.allowedCidrs : [ANYWHERE] },
      {
        name: 'Slack ingress',
        ingressRuleDescription: 'Slack interactivity (HTTPS)',
        internetFacing: true,
        logPrefix: SLACK_INGRESS_LOG_PREFIX,
        logSid: 'SlackIngressAccessLogs',
        // Slack waits 3 s for an answer: nothing in flight outlives a short drain.
        deregistrationDelay: Duration.seconds(15),
      },
    );
    this.listener.addAction('SlackInteractions', {
      priority: 10,
      conditions: [
        elbv2.ListenerCondition.httpRequestMethods(['POST']),
        // No wildcard: the exact path (ALB path patterns are case-sensitive).
        elbv2.ListenerCondition.pathPatterns([SLACK_INTERACTIONS_PATH]),
      ],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });
  }
}
