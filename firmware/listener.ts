// slotcp/listener: ECMA-419's TCP Listener (embedded:io/socket/listener) on slotcp, as
// the default export, so `import Listener from "slotcp/listener"` (or the standard
// specifier mapped to this module in the app's manifest) is all an app needs: the first
// listener brings the stack up (slotcp/start) unless the options name a stack.
import { startSlotcp } from './start';
import { Listener as Ecma419Listener, ListenerOptionsEcma } from './tcp/ecma419';

export default class Listener extends Ecma419Listener {
  constructor(options: ListenerOptionsEcma) {
    if (options === null || typeof options !== 'object' || options.stack === undefined) startSlotcp();
    super(options);
  }
}
