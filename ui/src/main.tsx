/**
 * Entry: a small script that starts what the opened page needs — its API calls and its code —
 * before the app's code (root.tsx: React, the shell) has loaded, then loads the app
 * (docs/ui.md, "First load").
 */
import { startEarlyCalls } from "./api/client";
import { firstCallsFor, preloadPage } from "./boot/first-load";

startEarlyCalls(firstCallsFor(window.location.pathname));
preloadPage(window.location.pathname);
void import("./root");
