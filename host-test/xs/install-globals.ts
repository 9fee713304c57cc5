// Imported first by every XS test bundle: mocha's describe/it as globals, as the test
// files expect them.
import { describe, it } from './mocha-shim';

const g = globalThis as unknown as Record<string, unknown>;
g.describe = describe;
g.it = it;
