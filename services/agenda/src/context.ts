import type { Connection } from 'mongoose';
import { journalModel } from '@cadence/shared/db';
import type { SchedulingClients } from '@cadence/shared/clients/scheduling';
import type { Logger } from '@cadence/shared/logging';
import { agendaModel } from './agendas/models.js';
import { homeworkModel, overdueClaimModel } from './homework/models.js';
import { agendaLinkModel } from './links/models.js';
import { factsBuildModel, pendingFactModel, reportFactsModel } from './reports/facts/models.js';
import type { KeyedLock } from '@cadence/shared/process';
import { seriesSettingsModel, templateModel } from './templates/models.js';

/** Every model of the agenda service, registered once on its connection (its own database). */
export function agendaModels(conn: Connection) {
  return {
    Templates: templateModel(conn),
    SeriesSettings: seriesSettingsModel(conn),
    Agendas: agendaModel(conn),
    Homework: homeworkModel(conn),
    OverdueClaims: overdueClaimModel(conn),
    Links: agendaLinkModel(conn),
    /** What reports read of agendas and homework, per series and year: see reports/facts/. */
    ReportFacts: reportFactsModel(conn),
    PendingFacts: pendingFactModel(conn),
    FactsBuilds: factsBuildModel(conn),
    /** Version changes go through it: see shared/src/db/journal.ts (FerretDB's updates are not compare-and-set). */
    Journal: journalModel(conn),
  };
}
export type AgendaModels = ReturnType<typeof agendaModels>;

/** What the components share: models, logger, a clock tests can move, and the scheduling API. */
export interface AgendaContext {
  models: AgendaModels;
  logger: Logger;
  now: () => Date;
  scheduling: SchedulingClients;
  /** Serialises versioned writes per document in this process (fewer journal conflicts). */
  writes: KeyedLock;
}
