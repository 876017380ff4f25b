import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

const COOKIE = 'cadence_agenda_csrf';
const NONCE = /^[A-Za-z0-9_-]{22}$/;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Double-submit CSRF protection for the agenda pages' forms: a random nonce in a SameSite=Strict,
 * HttpOnly cookie, and in each form an HMAC of that nonce and the link (its token hash). A forged
 * cross-site form has neither the cookie (SameSite) nor a way to compute the field (the secret).
 */
export class CsrfGuard {
  constructor(
    private readonly secret: string,
    private readonly secureCookie: (req: Request) => boolean,
  ) {}

  /** The form field for this browser and link, setting the nonce cookie when the browser has none. */
  fieldFor(req: Request, res: Response, linkHash: string): string {
    let nonce = cookie(req, COOKIE);
    if (!nonce || !NONCE.test(nonce)) {
      nonce = randomBytes(16).toString('base64url');
      res.cookie(COOKIE, nonce, {
        httpOnly: true,
        sameSite: 'strict',
        secure: this.secureCookie(req),
        path: '/a/',
        maxAge: 30 * 86_400_000,
      });
    }
    return this.sign(nonce, linkHash);
  }

  /** Whether a posted form carries the field that matches this browser's cookie and this link. */
  verify(req: Request, linkHash: string, presented: unknown): boolean {
    const nonce = cookie(req, COOKIE);
    if (!nonce || !NONCE.test(nonce) || typeof presented !== 'string') return false;
    const expected = Buffer.from(this.sign(nonce, linkHash));
    const actual = Buffer.from(presented);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private sign(nonce: string, linkHash: string): string {
    return createHmac('sha256', this.secret).update(`${linkHash}.${nonce}`).digest('base64url');
  }
}
