// slotcp issue 12, "fits an ESP8266": the esp device (Moddable SDK 8.2.3,
// build/devices/esp/manifest.json) gives XS one static block of 32,768 bytes for chunks,
// slots and the XS stack, and the app's `creation` must fit in it. slotcp itself (the
// stack, the socket layer, the socket pool and the six services at start-up, and the XS
// stack its calls need) may take at most 75% of that block: the rest is for the SDK's
// own objects (Wi-Fi, timers, module records) and for growth.
import assert from 'node:assert/strict';
import { SLOT_BYTES_32, boardProfile, creation, measureBoards, readManifest, typedArrayBytes } from './support/board-budget';
import { boardStack, startBoardApp } from './support/board-app';

/** The esp device's creation.static (Moddable SDK 8.2.3), unless the app sets its own. */
const ESP_STATIC = 32768;
const SLOTCP_SHARE = 0.75;

describe('board memory budget (ESP8266, in 32-bit bytes)', function () {
  this.timeout(120_000);
  const manifest = readManifest();
  const esp = creation(manifest, 'esp');
  const staticBytes = esp.static ?? ESP_STATIC;

  it("manifest.json's esp creation fits the static block: initial chunk + (heap + stack) × 16", () => {
    const initial = esp.chunk.initial + (esp.heap.initial + esp.stack) * SLOT_BYTES_32;
    assert.ok(initial <= staticBytes, `esp creation asks ${initial} bytes of a ${staticBytes}-byte static block`);
  });

  it('slotcp at start-up (slots, typed arrays) and its XS stack take at most 75% of the static block', async () => {
    const [board] = await measureBoards(['esp']);
    const slots = board.appSlots * SLOT_BYTES_32;
    const stack = esp.stack * SLOT_BYTES_32;
    const total = slots + board.appChunkBytes + stack;
    const report = `${board.appSlots} slots (${slots} B) + ${board.appChunkBytes} B of typed arrays`
      + ` + XS stack ${esp.stack} slots (${stack} B) = ${total} B, ${(100 * total / staticBytes).toFixed(1)}% of ${staticBytes}`;
    assert.ok(total <= SLOTCP_SHARE * staticBytes, `over budget: ${report}`);
  });

  it("esp32's creation (no static block) holds the app at start-up, and as deep an XS stack as esp's", async () => {
    const esp32 = creation(manifest, 'esp32');
    const [board] = await measureBoards(['esp32']);
    assert.ok(esp32.chunk.initial >= board.appChunkBytes, `${board.appChunkBytes} B of typed arrays`);
    assert.ok(esp32.heap.initial >= 2 * board.appSlots, `${board.appSlots} slots at start-up`);
    assert.ok(esp32.stack >= esp.stack);
  });

  it("counts the stack's typed arrays as Stack.memory() does, and the services' on top", () => {
    const profile = boardProfile(manifest, 'esp');
    const stack = boardStack(profile);
    assert.equal(typedArrayBytes(stack), stack.memory().total);
    const app = startBoardApp(profile);
    assert.ok(typedArrayBytes(app) > app.stack.memory().total);
  });
});
