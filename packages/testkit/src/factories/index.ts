/** Raw finding factories in every input format; re-exported by the testkit's index. */
export {
  findingTypes,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  instanceEnis,
  nativeFinding,
  securityHubImportedEvent,
} from './findings.js';
export type {
  EniOptions,
  FindingOptions,
  FindingResourceOptions,
  SecurityHubEventOptions,
} from './findings.js';
