export {
  accountCredentials,
  DEFAULT_EMULATOR_ACCOUNT_ID,
  type EmulatorAccount,
  type EmulatorCredentials,
  type EmulatorTarget,
  isolatedAccount,
  randomAccountId,
} from './accounts.js';
export { inFreshProcess } from './fresh-process.js';
export { type BootstrapOptions, type BootstrapResult, bootstrap } from './bootstrap.js';
export { type EvidenceBucketSettings, isValidBucketName } from './bootstrap/bucket.js';
export { QUEUE_NAMES, type QueueWithDlq, queueNames } from './bootstrap/queues.js';
export { INCIDENT_TABLE_LAYOUT } from './bootstrap/table.js';
export { type EmulatorClients, emulatorClients } from './clients.js';
export {
  type AwsEmulator,
  type AwsEmulatorKind,
  type EmulatorChoice,
  emulatorChoice,
  type StartAwsEmulatorOptions,
  startAwsEmulator,
} from './emulator.js';
export { DEFAULT_LOCALSTACK_IMAGE } from './emulator/localstack.js';
export { freePort } from './emulator/moto-server.js';
export { ensureMotoVenv, MOTO_VERSION, motoVenvDir, venvPython } from './emulator/moto-venv.js';
export { EmulatorError, isTestkitError, ResourceSetupError, TestkitError } from './errors.js';
export {
  type CreateBucketOptions,
  type CreatedBucket,
  type CreatedIamUser,
  type CreatedInstance,
  type CreatedRole,
  type CreatedVpc,
  type CreateIamUserOptions,
  type CreateInstanceOptions,
  type CreateRoleOptions,
  type CreateVpcOptions,
  createBucket,
  createIamUser,
  createInstance,
  createRole,
  createVpc,
  uniqueName,
} from './factories/aws-resources.js';
export {
  awsvpcAttachment,
  type CreatedEcsTask,
  type CreateEcsTaskOptions,
  createEcsTask,
  withAwsvpcAttachments,
} from './factories/ecs-task.js';
export {
  type CreatedEksCluster,
  type CreateEksClusterOptions,
  createEksCluster,
} from './factories/eks-cluster.js';
export {
  type CreatedLambdaFunction,
  type CreateLambdaFunctionOptions,
  createLambdaFunction,
} from './factories/lambda-function.js';
export {
  type CreatedS3Object,
  type CreateS3ObjectOptions,
  createS3Object,
  EICAR_TEST_FILE,
  type EniOptions,
  type FindingOptions,
  type FindingResourceOptions,
  findingTypes,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  guardDutyWorkloadFinding,
  instanceEnis,
  nativeFinding,
  type OcsfResourceOptions,
  type SecurityHubEventOptions,
  type SecurityHubV2EventOptions,
  securityHubImportedEvent,
  securityHubV2Event,
  type WorkloadFindingOptions,
  type WorkloadResourceOptions,
} from './factories/index.js';
export {
  type CreatedRdsDatabase,
  type CreateRdsDatabaseOptions,
  createRdsDatabase,
  rdsClient,
} from './factories/rds.js';
export {
  cloudTrailClient,
  createMixedSecurityGroup,
  createTrail,
  groupTags,
  ingressRuleSet,
  isLogging,
  KEPT_RULES,
  trailTags,
} from './factories/remediation.js';
export {
  DEMO_OPERATORS,
  type DemoOperator,
  type DemoOperatorName,
  demoOperatorBySubject,
} from './identity/demo-operators.js';
export {
  type AuthorizationCodeLogin,
  type AuthorizationCodeResult,
  authorizationCodeLogin,
} from './identity/code-login.js';
export { approveDeviceCode } from './identity/device-login.js';
export {
  DEFAULT_OPERATOR_API_AUDIENCE,
  type IdentityProviderOptions,
  LOCAL_IDP_CLIENTS,
  type LocalIdentityProvider,
  OTHER_API_AUDIENCE,
  startIdentityProvider,
} from './identity/identity-provider.js';
export {
  type OtlpReceiver,
  parseOtlpTraceRequest,
  type ReceivedSpan,
  startOtlpReceiver,
} from './otlp-receiver.js';
export { eventually, queueDepth, receiveMessages } from './queue-inspection.js';
export {
  callLogEnv,
  type HarnessServiceDeps,
  type ServiceHarness,
  type ServiceHarnessOptions,
  type StartableService,
  serviceHarness,
  type TestLoggerOptions,
  testLogger,
} from './service-harness.js';
export {
  type AnsweredCommand,
  buildStepCommand,
  createStepRunner,
  handlerContext,
  heldPayload,
  type RunStepOptions,
  type StepAnswer,
  type StepCommandOptions,
  type StepRunner,
  type StepRunnerSettings,
  succeededPayload,
} from './step-runner.js';
export {
  REPO_ROOT,
  SERVICE_NAMES,
  SERVICE_NODE_FLAGS,
  SERVICE_PROCESS_ENV,
  type ServiceName,
  type ServiceProcess,
  type StartServiceProcessOptions,
  startServiceProcess,
} from './system/service-process.js';
