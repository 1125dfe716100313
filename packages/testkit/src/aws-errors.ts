import { errorName } from '@ir/runtime';

/** The HTTP status the SDK recorded on a service error. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** True when the error's code (see the runtime's `errorName`) is one of `names`. */
export function isAwsError(error: unknown, ...names: readonly string[]): boolean {
  return names.includes(errorName(error));
}

/**
 * True when the service (usually an emulator) does not implement the call, so an optional setting such
 * as point-in-time recovery can be skipped instead of failing the whole bootstrap.
 */
export function isNotImplemented(error: unknown): boolean {
  return (
    httpStatus(error) === 501 ||
    isAwsError(error, 'NotImplemented', 'NotImplementedError', 'UnknownOperationException', 'InvalidAction')
  );
}
