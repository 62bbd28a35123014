/**
 * The emulator suite runs where Python can import moto's server. Elsewhere it says that it
 * skipped and why; with KEYSWEEP_REQUIRE_EMULATOR=1 (CI) a missing moto fails the suite instead.
 */
import { motoAvailability, python } from './moto-host';

export const REQUIRE_EMULATOR = 'KEYSWEEP_REQUIRE_EMULATOR';

/** `describe(name, body)` when moto is available; otherwise one skipped, or failing, test. */
export function describeWithMoto(name: string, body: () => void): void {
  const availability = motoAvailability();
  if (availability.available) {
    describe(`${name} (moto ${availability.version})`, body);
    return;
  }
  const why = `${availability.reason}; install moto[server] 5 for ${python()}, or set KEYSWEEP_PYTHON`;
  if (process.env[REQUIRE_EMULATOR] === '1') {
    describe(name, () => {
      it(`needs moto, as ${REQUIRE_EMULATOR}=1 says`, () => {
        throw new Error(`The emulator suite cannot run: ${why}`);
      });
    });
    return;
  }
  console.warn(`The emulator suite SKIPPED "${name}": ${why}. ${REQUIRE_EMULATOR}=1 makes this a failure.`);
  describe(name, () => {
    it.skip(`skipped: ${why}`, () => undefined);
  });
}
