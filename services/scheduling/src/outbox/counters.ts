import { Schema, type Connection, type Model } from 'mongoose';

interface CounterDoc {
  _id: string;
  value: number;
}

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, value: { type: Number, required: true } },
  { versionKey: false },
);

export const counterModel = (conn: Connection): Model<CounterDoc> => conn.model<CounterDoc>('Counter', counterSchema, 'counters');

/** Reserves `n` consecutive numbers of a named sequence atomically; returns the first. */
export async function reserve(Counters: Model<CounterDoc>, name: string, n: number): Promise<number> {
  const doc = await Counters.findOneAndUpdate({ _id: name }, { $inc: { value: n } }, { upsert: true, new: true }).lean();
  return doc!.value - n + 1;
}
