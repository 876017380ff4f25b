import { Schema, type Connection as MongooseConnection, type InferSchemaType, type Model } from 'mongoose';

/** A person's calendar account at a provider, with its refresh token sealed at rest. */
const connectionSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    personId: { type: String, required: true },
    provider: { type: String, required: true },
    /** active | reauth_required | disconnected */
    status: { type: String, required: true },
    accountEmail: { type: String, default: null },
    /** The calendar Cadence writes to and watches (Google: the account's primary calendar id). */
    calendarId: { type: String, required: true },
    /** The refresh token, encrypted (AES-256-GCM); never stored or logged in the clear. */
    refreshTokenSealed: { type: String, required: true },
    scope: { type: String, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
connectionSchema.index({ organizationId: 1, personId: 1, provider: 1 }, { unique: true });
connectionSchema.index({ provider: 1, status: 1 });

/** A pending consent: the OAuth `state` names it, so the callback knows whose account it is. */
const oauthStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    personId: { type: String, required: true },
    provider: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export type ConnectionDoc = InferSchemaType<typeof connectionSchema>;
export type OAuthStateDoc = InferSchemaType<typeof oauthStateSchema>;

export const connectionModels = (conn: MongooseConnection) => ({
  Connections: conn.model<ConnectionDoc>('CalendarConnection', connectionSchema, 'connections') as Model<ConnectionDoc>,
  OAuthStates: conn.model<OAuthStateDoc>('OAuthState', oauthStateSchema, 'oauth_states') as Model<OAuthStateDoc>,
});
