import { Aws, CfnCondition, CfnMapping, Duration, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { HTTP_PORT } from './worker-service.js';

/** The coordinator's Slack interactivity route (services/response-coordinator/src/slack/interactions.ts). */
export const SLACK_INTERACTIONS_PATH = '/slack/interactions';

/** Where the load balancer checks the coordinator: liveness, as the container's own health check. */
export const SLACK_INGRESS_HEALTH_PATH = '/healthz';

/** Admitted when no CIDRs are given: Slack publishes no fixed egress addresses. */
export const ANYWHERE = '0.0.0.0/0';

/** Key prefix of the load balancer's access logs in the log bucket. */
export const SLACK_INGRESS_LOG_PREFIX = 'slack-ingress';

export interface SlackIngressProps {
  readonly prefix: string;
  readonly vpc: ec2.IVpc;
  /** The coordinator's service: the only target. */
  readonly coordinator: ecs.FargateService;
  /** ACM certificate of the host name Slack is given (the operator points it at the load balancer). */
  readonly certificateArn: string;
  /** IPv4 CIDRs admitted on 443; empty: anywhere. */
  readonly allowedCidrs: readonly string[];
  /** Bucket (SSE-S3) the access logs go to, under `slack-ingress/`. */
  readonly accessLogs: s3.IBucket;
}

/**
 * The optional public door for Slack's button clicks: an internet-facing Application Load Balancer in
 * the public subnets with one HTTPS listener whose only rule forwards `POST /slack/interactions` to
 * the coordinator on its HTTP port; everything else gets a 404 from the load balancer and never
 * reaches a task, so the operator API stays private (Cloud Map, `ApiAccess`).
 *
 * Why this is enough: Slack's v0 request signature, checked by the coordinator with the signing
 * secret (5-minute replay window), is what authenticates a click. Slack publishes no fixed egress
 * addresses, so the allowed CIDRs default to anywhere; the load balancer narrows the surface to one
 * method on one path, it does not authenticate.
 */
export class SlackIngress extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: SlackIngressProps) {
    super(scope, id);
    const cidrs = props.allowedCidrs.length > 0 ? props.allowedCidrs : [ANYWHERE];
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.prefix} Slack ingress: HTTPS from ${cidrs.join(', ')}; out only to the coordinator`,
      // Egress to the coordinator on its port is added when the target group is attached.
      allowAllOutbound: false,
    });
    for (const cidr of cidrs) {
      this.securityGroup.addIngressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(443),
        'Slack interactivity (HTTPS)',
      );
    }

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
    });
    this.logAccess(props.accessLogs);

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Coordinator', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      port: HTTP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      healthCheck: {
        path: SLACK_INGRESS_HEALTH_PATH,
        port: String(HTTP_PORT),
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
      },
      // Slack waits 3 s for an answer: nothing in flight outlives a short drain.
      deregistrationDelay: Duration.seconds(15),
    });
    // Also admits the load balancer's group to the coordinator's group on HTTP_PORT, and only that.
    props.coordinator.attachToApplicationTargetGroup(this.targetGroup);

    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      // The ingress rules above are the only ones: not 0.0.0.0/0 unless that is what was allowed.
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not Found',
      }),
    });
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

  /**
   * Access logs to `bucket` under `slack-ingress/`. Why not `logAccessLogs`: it needs the region at
   * synthesis to pick the log-delivery principal, and this stack is environment-agnostic; the
   * principal is chosen at deployment instead (see {@link logDeliveryPrincipal}).
   */
  private logAccess(bucket: s3.IBucket): void {
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', SLACK_INGRESS_LOG_PREFIX);
    const added = bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SlackIngressAccessLogs',
        actions: ['s3:PutObject'],
        principals: [logDeliveryPrincipal(this)],
        resources: [bucket.arnForObjects(`${SLACK_INGRESS_LOG_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      }),
    );
    // ELB checks that it may write when the attribute is set: the policy must exist first.
    if (added.policyDependable) this.loadBalancer.node.addDependency(added.policyDependable);
  }
}

/**
 * Who delivers ELB access logs in the deployed region: the region's Elastic Load Balancing account
 * in regions opened before August 2022, the `logdelivery.elasticloadbalancing.amazonaws.com` service
 * principal in later ones. A mapping over the regions aws-cdk-lib knows picks one at deployment.
 */
function logDeliveryPrincipal(scope: Construct): iam.IPrincipal {
  const none = 'none';
  const mapping = new CfnMapping(scope, 'ElbLogDeliveryAccounts', {
    mapping: Object.fromEntries(
      RegionInfo.regions.map((region) => [region.name, { account: region.elbv2Account ?? none }]),
    ),
  });
  const account = mapping.findInMap(Aws.REGION, 'account');
  const hasAccount = new CfnCondition(scope, 'ElbLogDeliveryHasAccount', {
    expression: Fn.conditionNot(Fn.conditionEquals(account, none)),
  });
  return new ElbLogDelivery(hasAccount, account);
}

/** The principal {@link logDeliveryPrincipal} resolves: one of its two keys is removed at deployment. */
class ElbLogDelivery extends iam.PrincipalBase {
  readonly policyFragment: iam.PrincipalPolicyFragment;

  constructor(hasAccount: CfnCondition, account: string) {
    super();
    this.policyFragment = new iam.PrincipalPolicyFragment({
      AWS: [
        Fn.conditionIf(
          hasAccount.logicalId,
          `arn:${Aws.PARTITION}:iam::${account}:root`,
          Aws.NO_VALUE,
        ).toString(),
      ],
      Service: [
        Fn.conditionIf(
          hasAccount.logicalId,
          Aws.NO_VALUE,
          'logdelivery.elasticloadbalancing.amazonaws.com',
        ).toString(),
      ],
    });
  }

  override dedupeString(): string | undefined {
    return undefined;
  }

  override toString(): string {
    return 'ElbLogDelivery';
  }
}
