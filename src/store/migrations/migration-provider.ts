import type { Migration, MigrationProvider } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { initialMigration } from "./0001-initial.js";
import { commandsAndAuthMigration } from "./0002-commands-and-auth.js";
import { connectionsAndVariablesMigration } from "./0003-connections-and-variables.js";
import { datasetsMigration } from "./0004-datasets.js";
import { sensorWaitsMigration } from "./0005-sensor-waits.js";
import { schedulerLeasesMigration } from "./0006-scheduler-leases.js";
import { infraTriesMigration } from "./0007-infra-tries.js";
import { auditMigration } from "./0008-audit.js";
import { notificationsMigration } from "./0009-notifications.js";
import { callbacksMigration } from "./0010-callbacks.js";
import { deadlinesMigration } from "./0011-deadlines.js";
import { anomaliesMigration } from "./0012-anomalies.js";
import { remoteWorkersMigration } from "./0013-remote-workers.js";
import { backfillPauseMigration } from "./0014-backfill-pause.js";
import { importWarningsMigration } from "./0015-import-warnings.js";

/**
 * Migrations are code compiled into Baton, not files found at run time: the list below is the
 * whole history, applied in key order. Keys never change once released.
 */
export class BatonMigrationProvider implements MigrationProvider {
  constructor(private readonly features: DialectFeatures) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      "0001-initial": initialMigration(this.features),
      "0002-commands-and-auth": commandsAndAuthMigration(this.features),
      "0003-connections-and-variables": connectionsAndVariablesMigration(this.features),
      "0004-datasets": datasetsMigration(this.features),
      "0005-sensor-waits": sensorWaitsMigration(this.features),
      "0006-scheduler-leases": schedulerLeasesMigration(this.features),
      "0007-infra-tries": infraTriesMigration(this.features),
      "0008-audit": auditMigration(this.features),
      "0009-notifications": notificationsMigration(this.features),
      "0010-callbacks": callbacksMigration(this.features),
      "0011-deadlines": deadlinesMigration(this.features),
      "0012-anomalies": anomaliesMigration(this.features),
      "0013-remote-workers": remoteWorkersMigration(this.features),
      "0014-backfill-pause": backfillPauseMigration(this.features),
      "0015-import-warnings": importWarningsMigration(this.features),
    };
  }
}
