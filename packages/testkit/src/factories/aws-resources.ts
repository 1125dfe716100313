/** Factories for AWS resources on the emulator, shaped like what the responders act on. */
export { type CreateBucketOptions, type CreatedBucket, createBucket } from './bucket.js';
export {
  type CreateIamUserOptions,
  type CreatedIamUser,
  type CreatedRole,
  type CreateRoleOptions,
  createIamUser,
  createRole,
} from './iam.js';
export { type CreatedInstance, type CreateInstanceOptions, createInstance } from './instance.js';
export { uniqueName } from './names.js';
export { type CreatedVpc, type CreateVpcOptions, createVpc } from './vpc.js';
