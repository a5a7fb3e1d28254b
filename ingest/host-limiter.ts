/**
 * Per-host politeness: at most `perHost` requests in flight to one host, and at least `minGapMs` between the
 * starts of two requests to it. Shared by feed fetches and full-text page fetches of one poll run.
 */

export interface HostLimiterOptions {
  /** Requests in flight to one host. @defaultValue 2 */
  perHost?: number;
  /** Least time between the starts of two requests to one host. @defaultValue 1000 */
  minGapMs?: number;
  /**
   * Hosts (keys from hostKey) that get no limit at all. @defaultValue isLoopbackHostKey — the operator's own
   * machine (dev, demo, bench servers) needs no protection from us; every remote name is limited.
   */
  exempt?: (host: string) => boolean;
}

export interface HostLimiter {
  /** Runs `fn` once `host` has a free slot and its gap has passed; the slot is released when `fn` settles. */
  run<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /** Hosts remembered: in flight, waiting, or idle within their gap (for tests and leak checks). */
  busyHosts(): number;
}

interface HostState {
  active: number;
  lastStartMs: number;
  waiters: Array<() => void>;
  timer: NodeJS.Timeout | null;
}

// Hosts remembered before idle ones are swept.
const SWEEP_AT = 1024;

/** The host key of a URL: lower-case host name with port; the raw string when it does not parse. */
export function hostKey(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/** True for localhost, 127.0.0.0/8 and [::1] host keys (with or without a port). */
export function isLoopbackHostKey(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Builds a limiter. Wall-clock based on purpose: politeness is about real seconds on the remote server. */
export function createHostLimiter(options: HostLimiterOptions = {}): HostLimiter {
  const perHost = Math.max(1, options.perHost ?? 2);
  const minGapMs = Math.max(0, options.minGapMs ?? 1000);
  const exempt = options.exempt ?? isLoopbackHostKey;
  const hosts = new Map<string, HostState>();

  function sweep(): void {
    const now = Date.now();
    for (const [key, st] of hosts) {
      if (st.active === 0 && st.waiters.length === 0 && st.timer === null && now - st.lastStartMs >= minGapMs) hosts.delete(key);
    }
  }

  function pump(host: string, state: HostState): void {
    while (state.waiters.length > 0 && state.active < perHost && state.timer === null) {
      const wait = state.lastStartMs + minGapMs - Date.now();
      if (wait > 0) {
        state.timer = setTimeout(() => {
          state.timer = null;
          pump(host, state);
        }, wait);
        return;
      }
      state.active++;
      state.lastStartMs = Date.now();
      state.waiters.shift()!();
    }
    // An idle host is forgotten only once its gap has passed, so a sequential next request still waits.
    if (state.active === 0 && state.waiters.length === 0 && state.timer === null && Date.now() - state.lastStartMs >= minGapMs) {
      hosts.delete(host);
    }
  }

  return {
    async run(host, fn) {
      if (exempt(host)) return fn();
      let state = hosts.get(host);
      if (!state) {
        // Idle hosts whose gap has passed are forgotten here too, so the map stays bounded in a long run.
        if (hosts.size >= SWEEP_AT) sweep();
        state = { active: 0, lastStartMs: -Infinity, waiters: [], timer: null };
        hosts.set(host, state);
      }
      const s = state;
      await new Promise<void>((resolve) => {
        s.waiters.push(resolve);
        pump(host, s);
      });
      try {
        return await fn();
      } finally {
        s.active--;
        pump(host, s);
      }
    },
    busyHosts: () => hosts.size,
  };
}
