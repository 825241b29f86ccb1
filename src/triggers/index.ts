// Event triggers: runs started by files arriving and by broker messages (docs/event-triggers.md).
export { TriggerManager, type TriggerManagerDeps } from "./trigger-manager.js";
export type { FileLister, ListedFile } from "./files/file-lister.js";
export type { Delivery, MessageSource, OpenMessageSource } from "./messages/message-source.js";
