// Time for services that act on their own (hold:MS), injected so the same code runs on
// the device (Moddable's Timer), on the host (Node timers) and in tests (a virtual clock).
// The platform must re-arm the stack's deadline after running a callback: it may have
// called into the stack (close, write).

export interface Cancel {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds, never going backwards (the stack's clock). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds, unless cancelled first. */
  after(ms: number, fn: () => void): Cancel;
}
