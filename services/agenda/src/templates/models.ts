import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const itemSchema = new Schema(
  {
    id: { type: String, required: true },
    title: { type: String, required: true },
    guidance: { type: String, default: '' },
    minutes: { type: Number, required: true },
  },
  { _id: false },
);

/** One version of a template as it was; agendas made from it record its number. */
const versionSchema = new Schema(
  {
    version: { type: Number, required: true },
    name: { type: String, required: true },
    durationMinutes: { type: Number, required: true },
    items: { type: [itemSchema], required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * An organization's own agenda template. The current version is at the top level and every
 * version (the current one included) is in `versions`, so one compare-and-set update on `version`
 * changes both at once.
 */
const templateSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    name: { type: String, required: true },
    durationMinutes: { type: Number, required: true },
    items: { type: [itemSchema], required: true },
    version: { type: Number, required: true },
    versions: { type: [versionSchema], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
templateSchema.index({ organizationId: 1, _id: 1 });

export type TemplateDoc = InferSchemaType<typeof templateSchema>;
export const templateModel = (conn: Connection): Model<TemplateDoc> =>
  conn.model<TemplateDoc>('AgendaTemplate', templateSchema, 'agenda_templates');

/** The agenda side of a series: which template it names (absent: the standard one). */
const seriesSettingsSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    templateId: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
seriesSettingsSchema.index({ organizationId: 1, templateId: 1 });

export type SeriesSettingsDoc = InferSchemaType<typeof seriesSettingsSchema>;
export const seriesSettingsModel = (conn: Connection): Model<SeriesSettingsDoc> =>
  conn.model<SeriesSettingsDoc>('AgendaSeriesSettings', seriesSettingsSchema, 'agenda_series');
