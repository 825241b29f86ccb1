import type { FullStore } from "../full-store.js";

/** The store of the current test: a fresh, migrated, empty database for each `it`. */
export interface StoreUnderTest {
  readonly store: FullStore;
}
