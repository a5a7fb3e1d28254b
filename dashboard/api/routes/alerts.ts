/**
 * GET/POST /api/alerts and GET /api/alerts/:id/events: keyword alerts, whose queries are checked against
 * the catalog and whose webhook URLs pass the same outbound-URL policy as feeds.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import { slugify } from '../../../core/ids.ts';
import type { Alert } from '../../../core/types.ts';
import { notifyWatchlistChanged, type ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import {
  AlertBodySchema,
  AlertEventsQuerySchema,
  type AlertEventView,
  type AlertEventsResponse,
  type AlertsResponse,
  type AlertView,
} from '../schemas.ts';

/** The store port has no event count, so eventCount counts at most this many of the newest events. */
const EVENT_COUNT_CAP = 10_000;

export function alertRoutes(deps: ApiDeps) {
  async function toView(alert: Alert): Promise<AlertView> {
    const events = await deps.articles.listAlertEvents(alert.id, EVENT_COUNT_CAP);
    return {
      id: alert.id,
      name: alert.name,
      query: alert.query,
      ...(alert.webhookUrl !== undefined ? { webhookUrl: alert.webhookUrl } : {}),
      createdAt: alert.createdAt,
      eventCount: events.length,
    };
  }

  return new Hono()
    .get('/', async (c) => {
      const alerts = await deps.catalog.listAlerts();
      const body: AlertsResponse = { alerts: await Promise.all(alerts.map(toView)) };
      return c.json(body, 200);
    })
    .post('/', zValidator('json', AlertBodySchema, zodHook), async (c) => {
      const input = c.req.valid('json');
      const lookup = await loadCatalogLookup(deps.catalog);
      parseUserQuery(input.query, lookup, 'query');
      if (input.webhookUrl !== undefined) {
        const refusal = await deps.checkFeedUrl(input.webhookUrl);
        if (refusal !== null) {
          throw new ValidationError('url_refused', `webhookUrl: ${refusal}`, { details: { param: 'webhookUrl' } });
        }
      }
      const id = input.id ?? slugify(input.name);
      const existing = await deps.catalog.getAlert(id);
      const alert: Alert = {
        id,
        name: input.name.trim(),
        query: input.query,
        ...(input.webhookUrl !== undefined ? { webhookUrl: input.webhookUrl } : {}),
        // Editing an alert keeps its creation time: events are only created for articles stored after it.
        createdAt: existing?.createdAt ?? deps.now().toISOString(),
      };
      await deps.catalog.upsertAlert(alert);
      notifyWatchlistChanged(deps);
      return c.json(await toView(alert), existing ? 200 : 201);
    })
    .get('/:id/events', zValidator('query', AlertEventsQuerySchema, zodHook), async (c) => {
      const id = c.req.param('id');
      const { limit } = c.req.valid('query');
      if (!(await deps.catalog.getAlert(id))) throw new NotFoundError('not_found', `no alert with id "${id}"`);
      const events = await deps.articles.listAlertEvents(id, limit);
      const views: AlertEventView[] = await Promise.all(
        events.map(async (event) => {
          const article = await deps.articles.getArticle(event.articleId);
          return {
            ...event,
            article: article
              ? { id: article.id, title: article.title, url: article.url, outletId: article.outletId, date: article.date }
              : null,
          };
        }),
      );
      const body: AlertEventsResponse = { events: views };
      return c.json(body, 200);
    });
}
