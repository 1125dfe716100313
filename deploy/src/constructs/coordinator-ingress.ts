import { Aws, CfnCondition, CfnMapping, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { HTTP_PORT } from './worker-service.js';

/** Where a load balancer checks the coordinator: liveness, as the container's own health check. */
export const INGRESS_HEALTH_PATH = '/healthz';

/** Every IPv4 address. */
export const ANYWHERE = '0.0.0.0/0';

/** What every HTTPS entry to the coordinator is given. */
export interface CoordinatorIngressProps {
  readonly prefix: string;
  readonly vpc: ec2.IVpc;
  /** The coordinator's service: the only target. */
  readonly coordinator: ecs.FargateService;
  /** ACM certificate of the host name people or Slack are given (pointed at the load balancer). */
  readonly certificateArn: string;
  /** IPv4 CIDRs admitted on 443; at least one. */
  readonly allowedCidrs: readonly string[];
  /** Bucket (SSE-S3) the access logs go to, under {@link CoordinatorIngressKind.logPrefix}. */
  readonly accessLogs: s3.IBucket;
}

/** What sets one entry apart from another. */
export interface CoordinatorIngressKind {
  /** Names it in the security group's description: `<prefix> <name>: HTTPS from …`. */
  readonly name: string;
  /** Description of each 443 ingress rule. */
  readonly ingressRuleDescription: string;
  /** Internet-facing in the public subnets, or internal in the services' private subnets. */
  readonly internetFacing: boolean;
  /** Key prefix of its access logs in the log bucket; also names its bucket policy statement. */
  readonly logPrefix: string;
  /** Sid of the statement that lets ELB deliver its access logs. */
  readonly logSid: string;
  /** How long a stopping task keeps answering requests already sent to it. */
  readonly deregistrationDelay: Duration;
}

/**
 * An HTTPS door to the coordinator's HTTP server that forwards only the routes a subclass adds: an
 * Application Load Balancer whose security group admits 443 from the given CIDRs and sends only to
 * the coordinator's group on its HTTP port; one HTTPS listener (the certificate, TLS 1.2 and 1.3,
 * invalid header fields dropped) whose default answer is a 404 from the load balancer, so a path no
 * rule names never reaches a task; a target group of the coordinator's tasks; access logs. Shared by
 * the Slack ingress and the operator console's entry, which differ only in where the load balancer
 * stands, who may reach it, and which routes it forwards.
 */
export abstract class CoordinatorIngress extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  protected constructor(
    scope: Construct,
    id: string,
    props: CoordinatorIngressProps,
    kind: CoordinatorIngressKind,
  ) {
    super(scope, id);
    if (props.allowedCidrs.length === 0) throw new Error(`${id}: no CIDR is admitted`);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.prefix} ${kind.name}: HTTPS from ${props.allowedCidrs.join(', ')}; out only to the coordinator`,
      // Egress to the coordinator on its port is added when the target group is attached.
      allowAllOutbound: false,
    });
    for (const cidr of props.allowedCidrs) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), kind.ingressRuleDescription);
    }

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: kind.internetFacing,
      vpcSubnets: {
        subnetType: kind.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS,
      },
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
    });
    logAccess(this.loadBalancer, props.accessLogs, kind);

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Coordinator', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      port: HTTP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      healthCheck: {
        path: INGRESS_HEALTH_PATH,
        port: String(HTTP_PORT),
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
      },
      deregistrationDelay: kind.deregistrationDelay,
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
  }
}

/**
 * Access logs of `loadBalancer` to `bucket` under the kind's prefix. Why not `logAccessLogs`: it needs
 * the region at synthesis to pick the log-delivery principal, and this stack is environment-agnostic;
 * the principal is chosen at deployment instead (see {@link logDeliveryPrincipal}).
 */
function logAccess(
  loadBalancer: elbv2.ApplicationLoadBalancer,
  bucket: s3.IBucket,
  kind: CoordinatorIngressKind,
): void {
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', kind.logPrefix);
  const added = bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: kind.logSid,
      actions: ['s3:PutObject'],
      principals: [logDeliveryPrincipal(Stack.of(loadBalancer))],
      resources: [bucket.arnForObjects(`${kind.logPrefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
    }),
  );
  // ELB checks that it may write when the attribute is set: the policy must exist first.
  if (added.policyDependable) loadBalancer.node.addDependency(added.policyDependable);
}

const LOG_DELIVERY_MAPPING_ID = 'ElbLogDeliveryAccounts';
const LOG_DELIVERY_CONDITION_ID = 'ElbLogDeliveryHasAccount';

/**
 * Who delivers ELB access logs in the deployed region: the region's Elastic Load Balancing account
 * in regions opened before August 2022, the `logdelivery.elasticloadbalancing.amazonaws.com` service
 * principal in later ones. A mapping over the regions aws-cdk-lib knows picks one at deployment; one
 * mapping and condition per stack, whichever entry needs them first creates them.
 */
function logDeliveryPrincipal(stack: Stack): iam.IPrincipal {
  const none = 'none';
  const mapping =
    (stack.node.tryFindChild(LOG_DELIVERY_MAPPING_ID) as CfnMapping | undefined) ??
    new CfnMapping(stack, LOG_DELIVERY_MAPPING_ID, {
      mapping: Object.fromEntries(
        RegionInfo.regions.map((region) => [region.name, { account: region.elbv2Account ?? none }]),
      ),
    });
  const account = mapping.findInMap(Aws.REGION, 'account');
  const hasAccount =
    (stack.node.tryFindChild(LOG_DELIVERY_CONDITION_ID) as CfnCondition | undefined) ??
    new CfnCondition(stack, LOG_DELIVERY_CONDITION_ID, {
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
