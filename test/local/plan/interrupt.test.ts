/** What a plan says and does when a signal stops it, before or after its output was written. */
import { InterruptHandling } from '../../../local/plan/interrupt';

describe('InterruptHandling', () => {
  it.each([
    ['SIGINT', false, 130, 'keysweep: SIGINT: stopped before writing anything; out is as it was'],
    ['SIGTERM', true, 143, "keysweep: SIGTERM: stopped; the plan's output in out was already complete"],
  ] as const)('on %s (output written: %s) exits %d and says so', (signal, written, code, message) => {
    const exit = jest.fn();
    const print = jest.fn();
    const beforeExit = jest.fn();
    const handling = new InterruptHandling({ outDir: 'out', exit, print, beforeExit });
    if (written) handling.markWritten();
    process.emit(signal, signal);
    expect(beforeExit).toHaveBeenCalled();
    expect(print).toHaveBeenCalledWith(message);
    expect(exit).toHaveBeenCalledWith(code);
    // Its handlers are gone once it has acted.
    expect(process.listenerCount(signal)).toBe(0);
  });

  it('leaves the process as it was once disposed', () => {
    const before = process.listenerCount('SIGINT');
    const handling = new InterruptHandling({ outDir: 'out', exit: jest.fn(), print: jest.fn() });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    handling.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
