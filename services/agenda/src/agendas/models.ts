import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const itemSchema = new Schema(
  {
    id: { type: String, required: true },
    title: { type: String, required: true },
    guidance: { type: String, default: '' },
    minutes: { type: Number, required: true },
    covered: { type: Boolean, default: false },
    coveredAt: { type: Date, default: null },
    note: { type: String, default: '' },
  },
  { _id: false },
);

const figuresSchema = new Schema(
  {
    calls: { type: Number, default: null },
    meetings: { type: Number, default: null },
    dealsClosed: { type: Number, default: null },
    pipelineAmount: { type: Number, default: null },
    forecastAmount: { type: Number, default: null },
  },
  { _id: false },
);

/**
 * One occurrence's agenda, made once from the series' template (a copy of its items at that
 * version). The id is `seriesId:key`, so concurrent first requests all insert the same id and
 * exactly one insert wins. Changes are compare-and-set on `version` (items are an array: no
 * positional updates on FerretDB, so the whole array is rewritten).
 */
const agendaSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    seriesId: { type: String, required: true },
    key: { type: String, required: true },
    originalStart: { type: Date, required: true },
    template: {
      type: new Schema(
        {
          id: { type: String, required: true },
          version: { type: Number, required: true },
          name: { type: String, required: true },
        },
        { _id: false },
      ),
      required: true,
    },
    items: { type: [itemSchema], required: true },
    notes: { type: String, default: '' },
    figures: { type: figuresSchema, default: () => ({}) },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
agendaSchema.index({ organizationId: 1, seriesId: 1, originalStart: 1 });

export type AgendaDoc = InferSchemaType<typeof agendaSchema>;
export const agendaModel = (conn: Connection): Model<AgendaDoc> => conn.model<AgendaDoc>('Agenda', agendaSchema, 'agendas');

export const agendaId = (seriesId: string, key: string) => `${seriesId}:${key}`;
