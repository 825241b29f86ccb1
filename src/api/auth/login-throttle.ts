import { LRUCache } from "lru-cache";
import type { EpochMs } from "../../core/model/records.js";

export interface ThrottleLimits {
  /** Failed logins of one account within `windowMs` that lock it. */
  perAccount: number;
  /** Failed logins from one address within `windowMs` that lock it. */
  perAddress: number;
  windowMs: number;
  /** The first lock-out; each further one doubles, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  /** Accounts and addresses remembered at most (least recently seen are forgotten first). */
  maxEntries: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAccount: 5,
  perAddress: 20,
  windowMs: 15 * 60_000,
  lockMs: 60_000,
  maxLockMs: 60 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  /** Failures since `since`, counted toward the next lock-out. */
  failures: number;
  since: EpochMs;
  lockedUntil: EpochMs;
  /** Lock-outs in a row; reset by a success or a quiet window after the last one ends. */
  lockouts: number;
  lastFailure: EpochMs;
}

/** What one failed login did to the counters. */
export interface FailureRecord {
  accountFailures: number;
  addressFailures: number;
  /** Failed logins since the server started. */
  totalFailures: number;
  /** Set when this failure locked the account or the address. */
  lockedForMs: number | null;
}

/**
 * Slows down password guessing: per account and per client address, `perAccount`/`perAddress`
 * failures within `windowMs` lock that key for `lockMs`, doubling with each lock-out in a row
 * (1, 2, 4 … min, at most `maxLockMs`). A successful login clears its account, never its address
 * (else one valid account would reset an attacker's address). In memory, per server process; the
 * time comes from `now`, so tests move a clock instead of sleeping.
 */
export class LoginThrottle {
  readonly #accounts: LRUCache<string, Entry>;
  readonly #addresses: LRUCache<string, Entry>;
  #totalFailures = 0;

  constructor(
    private readonly now: () => EpochMs,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
  ) {
    this.#accounts = new LRUCache({ max: limits.maxEntries });
    this.#addresses = new LRUCache({ max: limits.maxEntries });
  }

  /** Milliseconds until `username` from `address` may try again; 0 when it may now. */
  retryAfterMs(username: string, address: string): number {
    const now = this.now();
    const wait = (e: Entry | undefined) => (e === undefined ? 0 : Math.max(0, e.lockedUntil - now));
    return Math.max(wait(this.#accounts.get(username)), wait(this.#addresses.get(address)));
  }

  recordFailure(username: string, address: string): FailureRecord {
    const now = this.now();
    this.#totalFailures++;
    const account = this.#fail(this.#accounts, username, this.limits.perAccount, now);
    const byAddress = this.#fail(this.#addresses, address, this.limits.perAddress, now);
    const locks = [account.lockedForMs, byAddress.lockedForMs].filter((ms): ms is number => ms !== null);
    return {
      accountFailures: account.failures,
      addressFailures: byAddress.failures,
      totalFailures: this.#totalFailures,
      lockedForMs: locks.length === 0 ? null : Math.max(...locks),
    };
  }

  recordSuccess(username: string): void {
    this.#accounts.delete(username);
  }

  get totalFailures(): number {
    return this.#totalFailures;
  }

  #fail(cache: LRUCache<string, Entry>, key: string, limit: number, now: EpochMs): { failures: number; lockedForMs: number | null } {
    const { windowMs, lockMs, maxLockMs } = this.limits;
    let e = cache.get(key);
    // A quiet window after the last failure or lock-out forgives everything.
    if (e !== undefined && now - Math.max(e.lastFailure, e.lockedUntil) >= windowMs) e = undefined;
    e ??= { failures: 0, since: now, lockedUntil: 0, lockouts: 0, lastFailure: now };
    if (now - e.since >= windowMs) {
      e.failures = 0;
      e.since = now;
    }
    e.failures++;
    e.lastFailure = now;
    const failures = e.failures;
    let lockedForMs: number | null = null;
    if (e.failures >= limit) {
      lockedForMs = Math.min(lockMs * 2 ** e.lockouts, maxLockMs);
      e.lockouts++;
      e.lockedUntil = now + lockedForMs;
      e.failures = 0;
      e.since = now;
    }
    cache.set(key, e);
    return { failures, lockedForMs };
  }
}
