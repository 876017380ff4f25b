import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const organizationSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const apiKeySchema = new Schema(
  {
    /** The public part of the key, used to find it; the secret part is only stored hashed. */
    _id: { type: String, required: true },
    organizationId: { type: String, required: true, index: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export type OrganizationDoc = InferSchemaType<typeof organizationSchema>;
export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;

export interface OrganizationModels {
  Organization: Model<OrganizationDoc>;
  ApiKey: Model<ApiKeyDoc>;
}

export function organizationModels(conn: Connection): OrganizationModels {
  return {
    Organization: conn.model<OrganizationDoc>('Organization', organizationSchema, 'organizations'),
    ApiKey: conn.model<ApiKeyDoc>('ApiKey', apiKeySchema, 'api_keys'),
  };
}
