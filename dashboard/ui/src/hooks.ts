/**
 * Data hooks: one per endpoint, each a thin typed wrapper over useApiGet. Pages never call fetch directly.
 */
import { useCallback, useEffect, useState } from 'react';
import type {
  Actor,
  ActorsResponse,
  AlertEventsResponse,
  AlertEventView,
  AlertsResponse,
  AlertView,
  ClusterResponse,
  FeedsResponse,
  HealthResponse,
  Outlet,
  OutletsResponse,
  RetagJobsResponse,
  RetagJobView,
  Theme,
  ThemesResponse,
  TrendsResponse,
} from '../../api/schemas.ts';
import { apiGet, ApiError, type Params } from './api-client.ts';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetch again (after a POST, or on a timer). */
  reload: () => void;
}

/**
 * GETs `path` with `params` whenever either changes; `path = null` skips the request. Older answers are
 * aborted so a slow response never overwrites a newer one. `map` picks the useful part of the body.
 */
export function useApiGet<T, B = T>(path: string | null, params: Params = {}, map?: (body: B) => T): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  // Params objects are rebuilt on every render; their serialized form is the real dependency.
  const key = JSON.stringify(params);
  useEffect(() => {
    if (path === null) {
      setData(undefined);
      setError(undefined);
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    apiGet<B>(path, JSON.parse(key) as Params, controller.signal).then(
      (body) => {
        setData(map ? map(body) : (body as unknown as T));
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof ApiError ? err : new ApiError(0, { code: 'client', message: String(err) }));
        setData(undefined);
        setLoading(false);
      },
    );
    return () => controller.abort();
    // `map` is a module-level function in every caller, so it is deliberately left out.
  }, [path, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}

const toActors = (body: ActorsResponse): Actor[] => body.actors;
const toThemes = (body: ThemesResponse): Theme[] => body.themes;
const toOutlets = (body: OutletsResponse): Outlet[] => body.outlets;
const toAlerts = (body: AlertsResponse): AlertView[] => body.alerts;
const toEvents = (body: AlertEventsResponse): AlertEventView[] => body.events;

export function useHealth(): ApiState<HealthResponse> {
  return useApiGet<HealthResponse>('/api/health');
}

export function useFeeds(): ApiState<FeedsResponse> {
  return useApiGet<FeedsResponse>('/api/feeds');
}

export function useOutlets(): ApiState<Outlet[]> {
  return useApiGet('/api/outlets', {}, toOutlets);
}

export function useActors(): ApiState<Actor[]> {
  return useApiGet('/api/actors', {}, toActors);
}

export function useThemes(): ApiState<Theme[]> {
  return useApiGet('/api/themes', {}, toThemes);
}

export function useAlerts(): ApiState<AlertView[]> {
  return useApiGet('/api/alerts', {}, toAlerts);
}

/** The newest events of one alert; `enabled = false` skips the request (an alert without events). */
export function useAlertEvents(alertId: string, enabled: boolean): ApiState<AlertEventView[]> {
  return useApiGet(enabled ? `/api/alerts/${encodeURIComponent(alertId)}/events` : null, { limit: '10' }, toEvents);
}

/** Trend series; `queries` empty means nothing to ask for. */
export function useTrends(queries: readonly string[], params: Params): ApiState<TrendsResponse> {
  return useApiGet<TrendsResponse>(queries.length ? '/api/trends' : null, { ...params, q: queries });
}

const toJobs = (body: RetagJobsResponse): RetagJobView[] => body.jobs;

/** Every theme's latest background re-tag job (progress of re-tagging stored articles after a theme edit). */
export function useRetagJobs(): ApiState<RetagJobView[]> {
  return useApiGet('/api/themes/retag', {}, toJobs);
}

/** One syndication cluster (origin and copies); `id = null` skips the request. */
export function useCluster(id: string | null): ApiState<ClusterResponse> {
  return useApiGet<ClusterResponse>(id ? `/api/clusters/${encodeURIComponent(id)}` : null);
}
