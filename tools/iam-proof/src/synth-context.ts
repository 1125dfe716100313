/**
 * The deploy context the proof synthesises the app with (besides the image): a clean room, one member
 * account, the member external id and the notifier's AWS channels, so every grant the tests exercise
 * exists. Shared with the deploy tests that run the proof over variants of the stack.
 */
export const PROOF_SYNTH_CONTEXT = {
  forensicsAmiId: 'ami-0123456789abcdef0',
  memberAccountIds: '222222222222',
  // As deploy/README.md deploys it: the services present an external id to their member roles.
  memberExternalIdSecretName: 'ir/external-id',
  // The operator API's issuer and audience are stack parameters without defaults; give them some.
  oidcIssuer: 'https://login.example.com/realms/security',
  oidcAudience: 'incident-response',
  // Every channel that calls AWS on, as the tests run the notifier (a topic in the security account,
  // the stand-in 111111111111 of prove.ts, and Security Hub): their grants exist only when configured.
  // The finding sync (the notifier marks findings in Security Hub and archives them in GuardDuty).
  findingSync: 'true',
  guardDutyArchiveFalsePositives: 'true',
  notifierEnvironment: JSON.stringify({
    IR_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:ir-notifications',
    IR_SECURITYHUB_ENABLED: 'true',
  }),
};
