import type { evidenceActions } from '@ir/contracts';
import type { AwsClientFactory, Publisher, StepCommand } from '@ir/runtime';
import type { ForensicsConfig } from '../config.js';
import type { EvidenceStore, EvidenceStoreSettings } from '../evidence/evidence-store.js';
import type { ForensicsMetrics } from '../metrics.js';
import type { ManagedInstanceLookup } from '../volatile/managed-instance.js';

/** The evidence commands this service executes (the contracts' closed list). */
export type EvidenceType = (typeof evidenceActions)[number];

/** An evidence command, narrowed to one type. */
export type EvidenceCommand<T extends EvidenceType = EvidenceType> = StepCommand<T>;

/** What every action needs besides its step context; built once in service.ts. */
export interface ActionDeps {
  readonly config: ForensicsConfig;
  readonly aws: AwsClientFactory;
  readonly store: EvidenceStore;
  readonly metrics: ForensicsMetrics;
  readonly now: () => Date;
  /** Waits between SSM polls; aborts with the handler. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Whether an instance is SSM-managed and online (a seam: moto lacks DescribeInstanceInformation). */
  readonly managedInstance: ManagedInstanceLookup;
  /** ARN of the identity the service runs as, recorded in manifests. */
  readonly callerArn: () => Promise<string>;
  /** Known-bad SHA-256 digests (from `IR_KNOWN_BAD_HASHES_FILE`) with their labels, for the clean room. */
  readonly knownBad?: ReadonlyMap<string, string | null>;
  /** Retention, encryption and collector of the evidence store, for uploads the store does not make itself. */
  readonly evidenceSettings: Pick<
    EvidenceStoreSettings,
    'lockMode' | 'retentionDays' | 'kmsKeyId' | 'collector' | 'now'
  >;
  /** The service's own queue, for follow-ups to itself (the snapshot watch). */
  readonly followups: Publisher<'forensics'>;
  readonly newId?: () => string;
}
