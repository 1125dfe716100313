import { IrError } from '@ir/runtime';

/**
 * Base of the forensics service's errors. The runtime recognises them by `name` and `retryable`;
 * handlers turn non-retryable ones into `step.failed` with the message as the reason.
 */
export class ForensicsError extends IrError {
  override readonly name: string = 'ForensicsError';
}

type Options = { cause?: unknown; context?: Record<string, unknown> };

/**
 * The step cannot be done as asked and retrying will not change that (instance gone, bucket
 * misconfigured, a permission missing). Reported to the coordinator as `step.failed`.
 */
export class StepRefusedError extends ForensicsError {
  override readonly name: string = 'StepRefusedError';
  constructor(message: string, reason: string, options: Options = {}) {
    super(message, { ...options, retryable: false, reason });
  }
}

/**
 * What S3 holds does not match what we wrote or sealed (checksum, retention, size). Never retried:
 * a person must look at it, because it may be tampering.
 */
export class EvidenceIntegrityError extends ForensicsError {
  override readonly name: string = 'EvidenceIntegrityError';
  constructor(message: string, options: Options = {}) {
    super(message, { ...options, retryable: false, reason: 'evidence-integrity' });
  }
}

/** A dependency is not ready yet (a concurrent seal took the same sequence number): retry. */
export class EvidenceConflictError extends ForensicsError {
  override readonly name: string = 'EvidenceConflictError';
  constructor(message: string, options: Options = {}) {
    super(message, { ...options, retryable: true, reason: 'evidence-conflict' });
  }
}

/**
 * Something the clean room needs is not ready yet (a snapshot still pending, an instance still
 * starting, a volume still being created, the SSM agent not registered): retried through the queue
 * with back-off, and the step's time-out bounds the wait.
 */
export class CleanRoomNotReadyError extends ForensicsError {
  override readonly name: string = 'CleanRoomNotReadyError';
  constructor(message: string, options: Options = {}) {
    super(message, { ...options, retryable: true, reason: 'not-ready' });
  }
}
