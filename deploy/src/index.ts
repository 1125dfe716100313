/** The AWS CDK app of the incident-response system: stacks, their settings, and the nag check. */
export { type BuildAppOptions, type BuiltApp, buildApp, STACK_IDS } from './app.js';
export {
  DEPLOY_CONTEXT_KEYS,
  DeployConfig,
  DeployConfigError,
  MEMBER_ACTING_SERVICES,
  type MemberActingService,
  memberRoleNameOf,
  NOTIFIER_SECRET_VARIABLES,
  type NotifierSecretVariable,
  parseDeployConfig,
  REMOVED_CONTEXT_KEYS,
  SERVICE_NAMES,
  type ServiceName,
  tableNameOf,
  taskRoleNameOf,
} from './config.js';
export { securityHubLabelsFrom } from './constructs/finding-rules.js';
export { QUEUE_NAMES } from './constructs/queues.js';
export { HTTP_PORT, STOP_TIMEOUT_MARGIN_SECONDS, WorkerService } from './constructs/worker-service.js';
export { formatPolicyDocument, iamPolicyDocuments } from './iam/policy-documents.js';
export type { PolicyJson, PolicyStatementJson } from './iam/policy-json.js';
export { MEMBER_ROLE_TRUSTED_SERVICES, MemberAccountStack } from './member-account-stack.js';
export { unsuppressedNagFindings } from './nag-findings.js';
export { IncidentResponseStack } from './system-stack.js';
