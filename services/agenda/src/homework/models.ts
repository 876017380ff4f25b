import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const actorSchema = new Schema(
  {
    /** Who, as far as Cadence can tell: the role named in the request, if any. */
    role: { type: String, default: null },
    /** How: an API key, or the agenda page (a link holder). */
    via: { type: String, required: true },
  },
  { _id: false },
);

const statusChangeSchema = new Schema(
  { status: { type: String, required: true }, at: { type: Date, required: true }, by: { type: actorSchema, required: true } },
  { _id: false },
);

/**
 * One homework item, assigned at an occurrence (`assignedKey`). It shows in the homework review
 * of every later occurrence while open; once closed, up to the occurrence it was reviewed in
 * (`reviewKey`). `overdueNotifiedAt` records that `homework.overdue` was published.
 */
const homeworkSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
    assignedKey: { type: String, required: true },
    title: { type: String, required: true },
    details: { type: String, default: '' },
    owner: { type: String, required: true },
    due: { type: Date, required: true },
    dueDefaulted: { type: Boolean, required: true },
    status: { type: String, required: true },
    statusChangedAt: { type: Date, required: true },
    statusChangedBy: { type: actorSchema, required: true },
    reviewKey: { type: String, default: null },
    history: { type: [statusChangeSchema], default: [] },
    overdueNotifiedAt: { type: Date, default: null },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
homeworkSchema.index({ organizationId: 1, seriesId: 1, assignedKey: 1 });
homeworkSchema.index({ status: 1, overdueNotifiedAt: 1, due: 1 });

export type HomeworkDoc = InferSchemaType<typeof homeworkSchema>;
export const homeworkModel = (conn: Connection): Model<HomeworkDoc> =>
  conn.model<HomeworkDoc>('Homework', homeworkSchema, 'homework');

/**
 * Who announces an overdue item: a claim per item and lease period (`<homeworkId>@<period>`). A
 * claim is an insert, the one write whose uniqueness both MongoDB and FerretDB enforce under
 * concurrency, so of several replicas one wins; in the next period another may retry.
 */
const overdueClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    homeworkId: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
overdueClaimSchema.index({ homeworkId: 1 });

export type OverdueClaimDoc = InferSchemaType<typeof overdueClaimSchema>;
export const overdueClaimModel = (conn: Connection): Model<OverdueClaimDoc> =>
  conn.model<OverdueClaimDoc>('HomeworkOverdueClaim', overdueClaimSchema, 'homework_overdue_claims');
