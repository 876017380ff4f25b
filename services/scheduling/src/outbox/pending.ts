import { Schema } from 'mongoose';

/**
 * A domain event waiting on the document whose change caused it. It is written in the same
 * single-document update as the state change (there are no transactions), then copied to the
 * outbox; if the process dies in between, the relay copies it later. Ids are deterministic, so a
 * copy made twice is still one event.
 */
export const pendingEventSchema = new Schema(
  {
    id: { type: String, required: true },
    organizationId: { type: String, required: true },
    type: { type: String, required: true },
    seriesId: { type: String, default: null },
    occurrenceKey: { type: String, default: null },
    occurredAt: { type: Date, required: true },
    /** Reserved from a deployment-wide counter when the event is made: delivery order. */
    sequence: { type: Number, required: true },
    data: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

export interface PendingEvent {
  id: string;
  organizationId: string;
  type: string;
  seriesId?: string | null | undefined;
  occurrenceKey?: string | null | undefined;
  occurredAt: Date;
  sequence: number;
  data: Record<string, unknown>;
}
