import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { baseClientConfig, errorMessage, errorName, s3ClientConfig } from '@ir/runtime';
import type { AwsClients } from './command.js';
import type { IrctlConfig } from './config.js';
import { AwsCallError, ExitCode, isIrctlError } from './errors.js';

/** AWS clients built on first use and destroyed together when the command ends. */
export interface ManagedAwsClients extends AwsClients {
  destroy(): void;
}

/**
 * SQS, S3 and KMS in the system's region, with the SDK's default credential chain (the operator's profile
 * or role; irctl never takes keys of its own) and the emulator endpoint when one is set.
 */
export function awsClients(config: IrctlConfig): ManagedAwsClients {
  const settings = { region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL };
  let sqs: SQSClient | undefined;
  let s3: S3Client | undefined;
  let kms: KMSClient | undefined;
  return {
    sqs: () => {
      sqs ??= new SQSClient(baseClientConfig(settings));
      return sqs;
    },
    s3: () => {
      s3 ??= new S3Client(s3ClientConfig(settings));
      return s3;
    },
    kms: () => {
      kms ??= new KMSClient(baseClientConfig(settings));
      return kms;
    },
    destroy() {
      sqs?.destroy();
      s3?.destroy();
      kms?.destroy();
    },
  };
}

const NOT_FOUND = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NoSuchBucket',
  'NoSuchKey',
  'NotFound',
]);
const REFUSED =
  /AccessDenied|UnauthorizedOperation|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|ExpiredToken|CredentialsProviderError|InvalidAccessKeyId/;

/**
 * Wraps a failed AWS call in an error saying what irctl was doing, with the exit code that fits:
 * not found (3), credentials refused (6), anything else unavailable (5). irctl errors pass through.
 */
export function awsFailure(error: unknown, doing: string): Error {
  if (isIrctlError(error)) return error;
  const name = errorName(error);
  const exitCode = NOT_FOUND.has(name)
    ? ExitCode.notFound
    : REFUSED.test(name)
      ? ExitCode.unauthorized
      : ExitCode.unavailable;
  return new AwsCallError(`${doing}: ${name}: ${errorMessage(error)}`, exitCode, {
    cause: error,
    detail: { awsError: name },
  });
}
