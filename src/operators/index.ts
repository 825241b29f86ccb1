// Built-in operators: `import { sqlQuery, sqlCheck, httpRequest } from "baton/operators"`.
export { sqlQuery } from "./sql/sql-query.js";
export { sqlCheck } from "./sql/sql-check.js";
export { httpRequest } from "./http/http-request.js";

export type { SqlQueryOptions, SqlQueryRows, SqlQueryFile } from "./sql/sql-query.js";
export type { SqlCheckOptions, SqlCheckSummary } from "./sql/sql-check.js";
export type { SqlCheck, CheckResult } from "./sql/check-sql.js";
export type { OutputFormat } from "./sql/write-rows.js";
export type { HttpRequestOptions, HttpResponse } from "./http/http-request.js";
export type { OperatorTaskOptions } from "./shared/declare-operator.js";

// Sensors (poke mode): see docs/sensors.md.
export { declareSensor } from "./sensors/declare-sensor.js";
export { fileSensor } from "./sensors/file-sensor.js";
export { httpSensor } from "./sensors/http-sensor.js";
export { sqlSensor } from "./sensors/sql-sensor.js";
export { dateTimeSensor } from "./sensors/date-time-sensor.js";
export type { SensorOptions, PokeResult, Poke, SensorValue } from "./sensors/declare-sensor.js";
export type { FileSensorOptions } from "./sensors/file-sensor.js";
export type { HttpSensorOptions } from "./sensors/http-sensor.js";
export type { SqlSensorOptions } from "./sensors/sql-sensor.js";
export type { DateTimeSensorOptions } from "./sensors/date-time-sensor.js";

// Cross-DAG dependencies: triggerDag (docs/operators.md), externalTaskSensor (docs/sensors.md).
export { triggerDag } from "./cross-dag/trigger-dag.js";
export { externalTaskSensor } from "./cross-dag/external-task-sensor.js";
export type { TriggerDagOptions, TriggeredDagRun } from "./cross-dag/trigger-dag.js";
export type { ExternalTaskSensorOptions, ExternalTaskState } from "./cross-dag/external-task-sensor.js";

// Messaging and e-mail: see docs/messaging.md.
export { publish } from "./mq/publish.js";
export { consume } from "./mq/consume.js";
export { sendEmail } from "./email/send-email.js";
export type { PublishOptions, PublishResult } from "./mq/publish.js";
export type { ConsumeHandler, ConsumeOptions, ConsumeResult, HandledResult } from "./mq/consume.js";
export type { ConsumedMessage, OutgoingMessage } from "./mq/codec.js";
export type { Destination, Source } from "./mq/mq-client.js";
export type { SendEmailOptions, SendEmailResult, EmailAttachment } from "./email/send-email.js";

// Object storage (S3, Azure Blob, GCS, local files): see docs/object-storage.md.
export { listObjects } from "./storage/list-objects.js";
export { copyObjects, moveObjects, transferObjects } from "./storage/copy-objects.js";
export { deleteObjects } from "./storage/delete-objects.js";
export { objectSensor } from "./storage/object-sensor.js";
export { withObject, writeObject } from "./storage/object-io.js";
export type { ListObjectsOptions } from "./storage/list-objects.js";
export type { CopyObjectsOptions, TransferSpec, TransferManifest, ManifestEntry } from "./storage/copy-objects.js";
export type { DeleteObjectsOptions, DeleteObjectsResult } from "./storage/delete-objects.js";
export type { ObjectSensorOptions } from "./storage/object-sensor.js";
export type { ObjectLocation, ObjectEntry } from "./storage/object-location.js";
export type { VerifyMode } from "./storage/transfer-object.js";
