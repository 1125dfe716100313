import { Counter, type Registry } from 'prom-client';

/**
 * The forensics service's own metrics. Steps themselves are counted by the runtime's step worker
 * (`ir_step_executions_total`, `ir_step_execution_duration_seconds`), the same names in every service that executes steps.
 */
export interface ForensicsMetrics {
  readonly artifactsTotal: Counter<'action' | 'outcome'>;
  readonly artifactBytesTotal: Counter<'action'>;
  readonly snapshotsTotal: Counter<'kind'>;
  readonly ssmCommandsTotal: Counter<'outcome'>;
  readonly cleanRoomResourcesTotal: Counter<'kind' | 'operation'>;
  readonly snapshotWatchesTotal: Counter<'outcome'>;
}

/** Registers the forensics metrics on the service's registry (labels are bounded: action, outcome, kind, operation). */
export function createForensicsMetrics(registry: Registry): ForensicsMetrics {
  return {
    artifactsTotal: new Counter({
      name: 'ir_forensics_artifacts_total',
      help: 'Artifacts stored in the evidence bucket, by action and outcome (written, reused).',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    artifactBytesTotal: new Counter({
      name: 'ir_forensics_artifact_bytes_total',
      help: 'Bytes of artifacts written to the evidence bucket, by action.',
      labelNames: ['action'],
      registers: [registry],
    }),
    snapshotsTotal: new Counter({
      name: 'ir_forensics_snapshots_total',
      help: 'EBS snapshots started (source, kms_copy, forensics_copy) or shared with the forensics account (shared), by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    ssmCommandsTotal: new Counter({
      name: 'ir_forensics_ssm_commands_total',
      help: 'SSM Run Command invocations for volatile data, by final outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    cleanRoomResourcesTotal: new Counter({
      name: 'ir_forensics_clean_room_resources_total',
      help: 'Clean-room resources created or deleted, by kind (instance, volume) and operation (created, deleted).',
      labelNames: ['kind', 'operation'],
      registers: [registry],
    }),
    snapshotWatchesTotal: new Counter({
      name: 'ir_forensics_snapshot_watches_total',
      help: 'Evidence snapshot watches ended, by outcome (settled: everything completed or failed and recorded; expired: IR_SNAPSHOT_WATCH_HOURS ran out first).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
