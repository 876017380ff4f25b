import type { Connection } from 'mongoose';
import { journalModel } from '@cadence/shared/db';
import type { KeyedLock } from '@cadence/shared/process';
import type { Logger } from '@cadence/shared/logging';
import { channelModels } from './calendars/google/channels.js';
import { localEventModel } from './calendars/local/models.js';
import { connectionModels } from './connections/models.js';
import { syncStateModel } from './sync/models.js';
import { excuseModel } from './excuses/models.js';
import { occurrenceModel, recordedKeysModels } from './occurrences/models.js';
import { organizationModels } from './organizations/models.js';
import { outboxEventModel, outboxUnfannedModel } from './outbox/models.js';
import { personModel } from './people/models.js';
import { seriesModel } from './series/models.js';

/** Every model of the scheduling service, registered once on its connection. */
export function schedulingModels(conn: Connection) {
  return {
    ...organizationModels(conn),
    People: personModel(conn),
    Series: seriesModel(conn),
    Occurrences: occurrenceModel(conn),
    ...recordedKeysModels(conn),
    Excuses: excuseModel(conn),
    Outbox: outboxEventModel(conn),
    OutboxUnfanned: outboxUnfannedModel(conn),
    LocalEvents: localEventModel(conn),
    Journal: journalModel(conn),
    ...connectionModels(conn),
    SyncStates: syncStateModel(conn),
    ...channelModels(conn),
  };
}
export type SchedulingModels = ReturnType<typeof schedulingModels>;

/** What the components share: models, logger and a clock tests can move. */
export interface SchedulingContext {
  models: SchedulingModels;
  /** Serializes writers to one document within this process (see shared/src/db/journal.ts). */
  locks: KeyedLock;
  logger: Logger;
  now: () => Date;
}
