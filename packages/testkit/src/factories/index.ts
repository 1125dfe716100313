/** Raw finding factories in every input format; re-exported by the testkit's index. */
export { findingTypes, instanceEnis } from './finding-options.js';
export type { EniOptions, FindingOptions, FindingResourceOptions } from './finding-options.js';
export { guardDutyApiFinding, guardDutyEventBridgeFinding } from './findings.js';
export { nativeFinding } from './native-findings.js';
export {
  type CreatedS3Object,
  type CreateS3ObjectOptions,
  createS3Object,
  EICAR_TEST_FILE,
} from './s3-object.js';
export { securityHubImportedEvent } from './security-hub-findings.js';
export type { SecurityHubEventOptions } from './security-hub-findings.js';
export { guardDutyWorkloadFinding, securityHubV2Event } from './workload-findings.js';
export type {
  OcsfResourceOptions,
  SecurityHubV2EventOptions,
  WorkloadFindingOptions,
  WorkloadResourceOptions,
} from './workload-findings.js';
