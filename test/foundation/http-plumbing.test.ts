import { mongo, Schema } from 'mongoose';
import request from 'supertest';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { pingDatabase } from '@cadence/shared/db';
import { createMetricsRegistry, createServiceApp, finishServiceApp, notFound, validate, validInput } from '@cadence/shared/http';
import { contextLogger } from '@cadence/shared/logging';
import { capturingLogger } from '../harness/capture-logs.js';
import { useTestDatabase } from '../harness/database.js';

const { conn } = await useTestDatabase('plumbing');
const Person = conn.model(
  'Person',
  new Schema({ email: { type: String, required: true, unique: true }, name: String }, { versionKey: false }),
);
const personBody = z.strictObject({ email: z.email(), name: z.string().min(1).max(100) });
const { logger, lines, text } = capturingLogger('plumbing');

const app = createServiceApp({ logger, metrics: createMetricsRegistry('plumbing'), ping: () => pingDatabase(conn) });
app.post('/people', validate({ body: personBody }), async (req, res) => {
  const { body } = validInput(req, { body: personBody });
  contextLogger(logger).info({ token: 'tok_should_not_show', email: body.email }, 'creating person');
  const created = await Person.create(body);
  res.status(201).json({ id: String(created._id), email: created.email, name: created.name });
});
app.get('/people/:id', async (req, res) => {
  const found = await Person.findById(req.params.id).lean();
  if (!found) throw notFound('No such person.');
  res.json({ id: String(found._id), email: found.email, name: found.name });
});
app.get('/closing', () => {
  // what the driver throws at an operation still running when the service closes it at shutdown
  throw new mongo.MongoClientClosedError();
});
app.get('/boom', () => {
  throw new Error('internal detail /srv/secret/path');
});
finishServiceApp(app, logger);

beforeAll(() => Person.createIndexes());

describe('HTTP plumbing on the real database', () => {
  it('round-trips a document through mongoose', async () => {
    const created = await request(app).post('/people').send({ email: 'ana@example.com', name: 'Ana' }).expect(201);
    const fetched = await request(app).get(`/people/${created.body.id}`).expect(200);
    expect(fetched.body).toEqual({ id: created.body.id, email: 'ana@example.com', name: 'Ana' });
    expect(await Person.countDocuments()).toBe(1);
  });

  it('turns a unique-index violation into a 409 problem+json', async () => {
    await request(app).post('/people').send({ email: 'bo@example.com', name: 'Bo' }).expect(201);
    const dup = await request(app).post('/people').send({ email: 'bo@example.com', name: 'Bo again' });
    expect(dup.status).toBe(409);
    expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dup.body).toMatchObject({ status: 409, title: 'Conflict', errors: [{ field: 'email', message: 'must be unique' }] });
    expect(await Person.countDocuments({ email: 'bo@example.com' })).toBe(1);
  });

  it('names every bad field in a 400 and writes nothing', async () => {
    const before = await Person.countDocuments();
    const res = await request(app).post('/people').send({ email: 'not-an-email', name: '', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'extra', 'name']);
    expect(res.body.errors.every((e: { location: string }) => e.location === 'body')).toBe(true);
    expect(await Person.countDocuments()).toBe(before);
  });

  it('answers malformed JSON, unknown routes and crashes with problems and no stack', async () => {
    const malformed = await request(app).post('/people').set('content-type', 'application/json').send('{"email":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ title: 'Malformed body', errors: [{ location: 'body' }] });

    const missing = await request(app).get('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: 'about:blank', status: 404 });

    // a request caught by the shutdown's closing of the database: retry, not a bug
    const closing = await request(app).get('/closing');
    expect(closing.status).toBe(503);
    expect(closing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(text()).not.toContain('unhandled error');

    const boom = await request(app).get('/boom');
    expect(boom.status).toBe(500);
    expect(JSON.stringify(boom.body)).not.toMatch(/secret|at |\.ts/);
  });

  it('logs every line of a request with its id and never logs credentials', async () => {
    const res = await request(app)
      .post('/people')
      .set('authorization', 'Bearer sk_live_topsecret')
      .set('x-request-id', 'req-abc-123')
      .send({ email: 'cy@example.com', name: 'Cy' })
      .expect(201);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    const own = lines().filter((l) => l.reqId === 'req-abc-123');
    expect(own.map((l) => l.msg)).toEqual(['creating person', 'request completed']);
    expect(own[1]).toMatchObject({ method: 'POST', path: '/people', status: 201 });
    expect(text()).not.toContain('sk_live_topsecret');
    expect(text()).not.toContain('tok_should_not_show');
  });
});
