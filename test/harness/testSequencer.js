// Jest runs the suite on two workers (package.json's `npm test`): it waits on stacks, emulators and timers more than
// it computes. The files below drive whole stacks under load and measure what the gateway answers while loaded (the
// reliability run's hostile-input row counts every 503): beside another worker's file on a 2-core machine, the
// intake's time budgets are overrun and the row fails for the machine's sake, not the gateway's. They go last, when
// the other worker is down to the short unit files and then idle.
import TestSequencer from "@jest/test-sequencer";

const ALONE_AT_THE_END = ["test/reliability/reliabilityQuick.test.ts"];

export default class OncegateSequencer extends TestSequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const last = (test) => ALONE_AT_THE_END.some((path) => test.path.endsWith(path));
    return [...sorted.filter((test) => !last(test)), ...sorted.filter(last)];
  }
}
