import type { AlertContext, AlertOutbox, NotifierDeclaration } from "../../core/model/alerts.js";

/** An outbox for tests: records each alert as `notifier:event:dedupKey:try`, sends nothing. */
export class RecordingOutbox implements AlertOutbox {
  readonly sent: string[] = [];
  enqueue(declaration: NotifierDeclaration, alert: AlertContext): void {
    this.sent.push(`${declaration.notifier}:${alert.event}:${alert.dedupKey}:${alert.tryNumber}`);
  }
}
