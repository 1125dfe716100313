import { type Finding, resourceKey } from '@ir/contracts';
import { compareVersions } from './finding-item.js';

/** Publishes one re-emission's message to the coordinator and marks it sent in the finding item. */
export type Forward = () => Promise<void>;

/** What {@link ReEmissionThrottle.offer} did with a re-emission. */
export type ThrottleDecision = 'forwarded' | 'held';

/** Settings of {@link createReEmissionThrottle}. */
export interface ReEmissionThrottleOptions {
  /** At most one forward per finding in this long, unless what matters changed; 0 forwards every one. */
  readonly intervalMs: number;
  /** A held re-emission, published when its interval ended, failed (the caller logs and counts it). */
  readonly onReleaseFailed: (error: unknown, finding: Finding) => void;
  /** A held re-emission was published when its interval ended. */
  readonly onReleased?: (finding: Finding) => void;
  readonly now?: () => number;
}

/**
 * Re-emissions of one finding, as this replica last forwarded them: when, and what the coordinator
 * acts on (the severity band and the resources). `held` is the newest version not forwarded yet.
 */
interface Track {
  forwardedAt: number;
  band: string;
  resources: string;
  held: { readonly finding: Finding; readonly forward: Forward } | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Decides which re-emissions go to the coordinator at once and which wait; see {@link createReEmissionThrottle}. */
export interface ReEmissionThrottle {
  /**
   * A newer version of a recorded finding: `forwarded` means the caller publishes it now; `held`
   * means the throttle keeps it and publishes it (or a newer one) when the finding's interval ends.
   */
  offer(key: string, finding: Finding, forward: Forward): ThrottleDecision;
  /** Publishes everything held, at once, and stops holding (on shutdown). */
  flush(): Promise<void>;
  /** Findings tracked now (each for one interval after its last forward); for tests. */
  readonly size: number;
}

/**
 * Why: in a GuardDuty re-emission storm the same finding comes back every few seconds with only its
 * count and updatedAt raised. Forwarding each one made the coordinator load, decide and write the
 * incident for every copy (four or more calls each), which set how fast a storm drained. A
 * re-emission is now forwarded at once when the coordinator would act on it (its severity band or
 * its resources differ from the version last forwarded, or none was forwarded in the interval);
 * otherwise only the newest version is kept and forwarded when the interval ends, so the incident
 * still ends up holding the newest count. The finding item in the table is written for every
 * version either way (the store's conditional write), so nothing is lost from detection's record.
 *
 * What a crash costs: a version held when the process dies is not forwarded by this replica (its
 * item says `lastPublished: false`); the next re-emission of that finding forwards it, and a
 * redelivery of the held version itself republishes it. A held version whose forward fails when
 * its time comes is reported and the finding forgotten, so its next re-emission goes at once. A
 * replica that starts afresh forwards the first re-emission it sees of every finding. Each replica
 * throttles on its own, so with N replicas a finding is forwarded at most N times an interval.
 */
export function createReEmissionThrottle(options: ReEmissionThrottleOptions): ReEmissionThrottle {
  const now = options.now ?? Date.now;
  const tracks = new Map<string, Track>();
  const releasing = new Set<Promise<void>>();
  let flushed = false;

  const release = (key: string, track: Track) => {
    track.timer = undefined;
    const held = track.held;
    if (!held) {
      tracks.delete(key);
      return;
    }
    track.held = undefined;
    remember(track, held.finding);
    if (!flushed) arm(key, track);
    const done = held.forward().then(
      () => options.onReleased?.(held.finding),
      (error: unknown) => {
        options.onReleaseFailed(error, held.finding);
        // Forgotten, so the finding's next re-emission goes at once and brings the count up to date.
        if (tracks.get(key) === track && !track.held) {
          clearTimeout(track.timer);
          tracks.delete(key);
        }
      },
    );
    releasing.add(done);
    void done.finally(() => releasing.delete(done));
  };
  const arm = (key: string, track: Track) => {
    track.timer = setTimeout(
      () => release(key, track),
      Math.max(0, track.forwardedAt + options.intervalMs - now()),
    );
    track.timer.unref();
  };
  const remember = (track: Track, finding: Finding) => {
    track.forwardedAt = now();
    track.band = finding.severity.band;
    track.resources = resourcesOf(finding);
  };

  return {
    offer(key, finding, forward) {
      if (flushed || options.intervalMs <= 0) return 'forwarded';
      const track = tracks.get(key);
      if (!track) {
        const fresh: Track = { forwardedAt: 0, band: '', resources: '', held: undefined, timer: undefined };
        remember(fresh, finding);
        tracks.set(key, fresh);
        arm(key, fresh);
        return 'forwarded';
      }
      if (track.band !== finding.severity.band || track.resources !== resourcesOf(finding)) {
        // The coordinator acts on this one (escalation, new resources): now. It supersedes a held
        // version unless that one is newer (two deliveries handled at once can be offered out of order).
        if (track.held && compareVersions(track.held.finding, finding) <= 0) track.held = undefined;
        remember(track, finding);
        clearTimeout(track.timer);
        arm(key, track);
        return 'forwarded';
      }
      if (!track.held || compareVersions(finding, track.held.finding) > 0) track.held = { finding, forward };
      return 'held';
    },
    async flush() {
      flushed = true;
      for (const [key, track] of tracks) {
        clearTimeout(track.timer);
        release(key, track);
      }
      tracks.clear();
      await Promise.all([...releasing]);
    },
    get size() {
      return tracks.size;
    },
  };
}

function resourcesOf(finding: Finding): string {
  return finding.resources
    .map((resource) => resourceKey(resource))
    .sort()
    .join('\n');
}
