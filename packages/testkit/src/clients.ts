import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { type AwsEndpointSettings, baseClientConfig, s3ClientConfig } from '@ir/runtime';

/** Every SDK client the testkit and the services' integration tests use, for one account. */
export interface EmulatorClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** Path-style addressing, which emulators on 127.0.0.1 need. */
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly sts: STSClient;
  readonly sns: SNSClient;
  readonly kms: KMSClient;
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly ecs: ECSClient;
  readonly eks: EKSClient;
  /** Destroys every client's connection pool. */
  destroy(): void;
}

/**
 * Builds the clients from the runtime's shared client configuration, so tests exercise the same
 * retry and addressing settings as the services.
 */
export function emulatorClients(settings: AwsEndpointSettings): EmulatorClients {
  const config = baseClientConfig(settings);
  const clients = {
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    s3: new S3Client(s3ClientConfig(settings)),
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    sts: new STSClient(config),
    sns: new SNSClient(config),
    kms: new KMSClient(config),
    ssm: new SSMClient(config),
    lambda: new LambdaClient(config),
    ecs: new ECSClient(config),
    eks: new EKSClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
