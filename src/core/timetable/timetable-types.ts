import type { ScheduleSpec } from "../model/dag-spec.js";

/** One scheduled (or manual) run's dates, all epoch ms. */
export interface RunInterval {
  logicalDate: number;
  dataIntervalStart: number;
  dataIntervalEnd: number;
  /** The run is not created/started before this instant. */
  runAfter: number;
}

/** What a timetable needs from a DAG spec. */
export interface TimetableInput {
  schedule: ScheduleSpec;
  startDate: number | null;
  endDate: number | null;
  timezone: string;
  catchup: boolean;
}
