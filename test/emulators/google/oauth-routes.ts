import express, { type NextFunction, type Request, type Response } from 'express';
import { OAuthError } from './errors.js';
import type { Form, OAuthService } from './oauth.js';

/**
 * Google's OAuth endpoints at the emulator's root: `POST /token` (oauth2.googleapis.com),
 * `GET /o/oauth2/v2/auth` (accounts.google.com) and `POST /revoke`.
 */
export function oauthRouter(oauth: OAuthService): express.Router {
  const router = express.Router();
  const forms = express.urlencoded({ extended: false });

  router.post('/token', forms, (req: Request, res: Response) => {
    try {
      res.set('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate');
      res.json(oauth.exchange(formOf(req.body), basicAuth(req.get('authorization'))));
    } catch (e) {
      sendOAuthError(res, e);
    }
  });

  router.get('/o/oauth2/v2/auth', (req: Request, res: Response) => {
    try {
      res.redirect(302, oauth.authorize(formOf(req.query)).toString());
    } catch (e) {
      // the real consent screen shows an HTML error page instead of redirecting
      if (!(e instanceof OAuthError)) throw e;
      res
        .status(e.status)
        .type('text/html')
        .send(`<!doctype html><title>Error</title><p>Error ${e.status}: ${e.error}</p><p>${escapeHtml(e.description)}</p>`);
    }
  });

  router.post(['/revoke', '/o/oauth2/revoke'], forms, (req: Request, res: Response) => {
    const value = formOf({ ...req.query, ...(req.body as object) }).token;
    if (value && oauth.revoke(value)) res.json({});
    else res.status(400).json({ error: 'invalid_token', error_description: 'Token expired or revoked' });
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => sendOAuthError(res, error));
  return router;
}

function sendOAuthError(res: Response, error: unknown): void {
  if (error instanceof OAuthError) res.status(error.status).json(error.body());
  else res.status(400).json({ error: 'invalid_request', error_description: 'Bad Request' });
}

function formOf(value: unknown): Form {
  const form: Form = {};
  if (typeof value !== 'object' || value === null) return form;
  for (const [k, v] of Object.entries(value)) form[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return form;
}

function basicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
