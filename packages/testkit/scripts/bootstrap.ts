/**
 * Creates or converges the system's queues, incident table, evidence bucket and manifest signing key
 * (alias `alias/<prefix>-evidence-signing`) in the account the
 * default credential chain points at (AWS_ENDPOINT_URL for an emulator). Used by the compose
 * file's one-shot `bootstrap` service and by `pnpm dev`; prints what it created as JSON.
 *
 * Environment: IR_PREFIX (ir), IR_TABLE, IR_EVIDENCE_BUCKET, IR_EVIDENCE_LOCK_MODE (GOVERNANCE),
 * IR_EVIDENCE_RETENTION_DAYS (1), IR_EVIDENCE_KMS_KEY, IR_NOTIFICATIONS_TOPIC (an SNS topic to
 * ensure, for local stacks), AWS_REGION, AWS_ENDPOINT_URL.
 */
import { bootstrap, emulatorClients } from '../src/index.js';

const env = process.env;
const clients = emulatorClients({ region: env.AWS_REGION ?? 'us-east-1', endpoint: env.AWS_ENDPOINT_URL });
const lockMode = env.IR_EVIDENCE_LOCK_MODE === 'COMPLIANCE' ? 'COMPLIANCE' : 'GOVERNANCE';
try {
  const result = await bootstrap({
    prefix: env.IR_PREFIX ?? 'ir',
    clients,
    tableName: env.IR_TABLE,
    bucketName: env.IR_EVIDENCE_BUCKET,
    lockMode,
    retentionDays: Number(env.IR_EVIDENCE_RETENTION_DAYS ?? '1'),
    kmsKeyId: env.IR_EVIDENCE_KMS_KEY,
    notificationsTopic: env.IR_NOTIFICATIONS_TOPIC,
  });
  process.stdout.write(
    `${JSON.stringify({ tableName: result.tableName, bucketName: result.bucketName, signingKeyArn: result.signingKeyArn, topicArn: result.topicArn, created: result.created, updated: result.updated })}\n`,
  );
} finally {
  clients.destroy();
}
