import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { pendingEventSchema } from '../outbox/pending.js';

/** One stretch of the weekly rule; an update adds a segment that applies from then on. */
const segmentSchema = new Schema(
  {
    effectiveFrom: { type: Date, required: true },
    weekday: { type: String, required: true },
    startTime: { type: String, required: true },
    durationMinutes: { type: Number, required: true },
    location: { type: String, default: null },
  },
  { _id: false },
);

const calendarRefSchema = new Schema(
  {
    provider: { type: String, required: true },
    /** The provider's id of the recurring event (Google event id, Graph series master id, local event id). */
    eventId: { type: String, default: null },
    calendarId: { type: String, default: null },
    connectionId: { type: String, default: null },
  },
  { _id: false },
);

const seriesSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    managerId: { type: String, required: true },
    repId: { type: String, required: true },
    timeZone: { type: String, required: true },
    startDate: { type: String, required: true },
    endDate: { type: String, default: null },
    count: { type: Number, default: null },
    segments: { type: [segmentSchema], required: true },
    policy: { type: String, required: true },
    calendar: { type: calendarRefSchema, required: true },
    status: { type: String, required: true },
    endedAt: { type: Date, default: null },
    endReason: { type: String, default: null },
    /** `manager:rep` while active, the series id once not: a unique index then allows one active series per pair. */
    activePair: { type: String, required: true },
    agendaUrl: { type: String, default: null },
    templateId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true, default: 0 },
    pendingEvents: { type: [pendingEventSchema], default: [] },
    hasPendingEvents: { type: Boolean, default: false },
  },
  { versionKey: false },
);
seriesSchema.index({ organizationId: 1, activePair: 1 }, { unique: true });
seriesSchema.index({ organizationId: 1, managerId: 1 });
seriesSchema.index({ organizationId: 1, repId: 1 });
seriesSchema.index({ hasPendingEvents: 1 });
seriesSchema.index({ 'calendar.provider': 1, 'calendar.eventId': 1 });

export type SeriesDoc = InferSchemaType<typeof seriesSchema>;
export type SegmentDoc = SeriesDoc['segments'][number];

export const seriesModel = (conn: Connection): Model<SeriesDoc> => conn.model<SeriesDoc>('Series', seriesSchema, 'series');
