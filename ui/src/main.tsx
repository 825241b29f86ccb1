/**
 * Entry: a small script that starts what the opened page needs — its API calls and its code —
 * before the app's code (root.tsx: React, the shell) has loaded, then loads the app
 * (docs/ui.md, "First load").
 */
import { startEarlyCalls } from "./api/client";
import { readFirstData } from "./boot/first-data";
import { firstCallsFor, preloadPage } from "./boot/first-load";

// What the server answered in index.html is not asked again (boot/first-data.ts).
const inlined = readFirstData();
startEarlyCalls(firstCallsFor(window.location.pathname).filter((path) => !inlined.has(path)));
preloadPage(window.location.pathname);
void import("./root");
