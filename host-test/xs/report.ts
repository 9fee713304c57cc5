// Imported last by every XS test bundle: runs the collected tests and prints one JSON
// line with the outcomes (xsnap's print goes to the worker's stdout).
import { runCollected } from './mocha-shim';

declare const print: (text: string) => void;

print(`XS-OUTCOMES ${JSON.stringify(runCollected())}`);
