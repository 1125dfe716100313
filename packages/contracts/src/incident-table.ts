/**
 * The single-table layout of the incident table (`${IR_PREFIX}-incidents`), shared by detection
 * (coalescing) and the response coordinator (incident state). Keys are `pk` + `sk` (strings), with a
 * GSI `gsi1` on `gsi1pk` + `gsi1sk`, and TTL on `expiresAt` (epoch seconds). Every write that decides
 * something (open an incident, attach a finding, move a step, take a blast-radius slot) is a conditional
 * write, so several replicas of a service agree without talking to each other.
 */
export const incidentTableKeys = {
  /** The incident itself (`sk` = {@link incidentTableKeys.incidentSk}); gsi1 lists it by status. */
  incidentPk: (incidentId: string) => `INCIDENT#${incidentId}`,
  incidentSk: 'META',
  /** Items under an incident: steps, timeline entries, finding references. */
  stepSk: (stepId: string) => `STEP#${stepId}`,
  timelineSk: (at: string, eventId: string) => `TIMELINE#${at}#${eventId}`,
  findingRefSk: (source: string, findingId: string) => `FINDING#${source}#${findingId}`,
  /** gsi1: incidents by status, newest last. */
  statusGsiPk: (status: string) => `STATUS#${status}`,
  statusGsiSk: (openedAt: string, incidentId: string) => `${openedAt}#${incidentId}`,
  /**
   * gsi1: the coordinator's outbox entries (`sk` = `OUTBOX#<messageId>`, committed with the state and
   * deleted once published), oldest first, so a sweep finds commands a crashed writer never sent.
   */
  outboxGsiPk: 'OUTBOX#PENDING',
  outboxGsiSk: (committedAt: string, incidentId: string, messageId: string) =>
    `${committedAt}#${incidentId}#${messageId}`,
  /**
   * An incident the sweep does not list by status (completed, rolled back, resolved) that still has
   * a dispatched step (`sk` = 'INFLIGHT'), on gsi1 by the earliest such step's deadline, so the sweep
   * times those steps out too: the report of a resolved incident that nobody answers is not silent.
   */
  inFlightSk: 'INFLIGHT',
  inFlightGsiPk: 'INFLIGHT#SETTLED',
  inFlightGsiSk: (deadlineAt: string, incidentId: string) => `${deadlineAt}#${incidentId}`,
  /**
   * The open incident of one resource (`sk` = 'OPEN'): `{ incidentId, openedAt, lastFindingAt,
   * expiresAt }`. Detection attaches a new finding about the resource to that incident while
   * `lastFindingAt` is within the coalescing window; the coordinator deletes it when the incident is
   * resolved (condition: same incidentId).
   */
  resourcePk: (accountId: string, resourceKey: string) => `RESOURCE#${accountId}#${resourceKey}`,
  resourceSk: 'OPEN',
  /** One finding id as GuardDuty re-emits it: `{ incidentId, updatedAt, count }` (sk = 'FINDING'). */
  findingPk: (source: string, accountId: string, findingId: string) =>
    `FINDING#${source}#${accountId}#${findingId}`,
  findingSk: 'FINDING',
  /**
   * The blast-radius slot ring (`sk` = 'SLOTS'): attributes `slot0`…`slot{max-1}`, each the epoch-ms
   * time an automatic containment last took that slot. A slot is free once its time is a window old,
   * so at most `max` containments fall in any window of that length (a sliding window, exact across
   * replicas because every take is conditional on the slot's value as read).
   */
  blastSlotsPk: 'BLAST#SLOTS',
  blastSlotsSk: 'SLOTS',
  blastSlotAttribute: (index: number) => `slot${index}`,
  /**
   * Suppression rules written through the operator API: one partition, `sk` = `RULE#<name>`, so one
   * consistent Query lists them all (detection re-reads them every few seconds, a Scan would read the
   * whole table). TTL (`expiresAt`) removes a rule a week after it stopped matching.
   */
  suppressionPk: 'SUPPRESSIONS',
  suppressionSk: (name: string) => `RULE#${name}`,
  suppressionSkPrefix: 'RULE#',
} as const;
