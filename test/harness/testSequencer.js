// Jest runs the suite on two workers (package.json's `npm test`): it waits on stacks, emulators and timers more than
// it computes. The reliability quick run is the longest file by far (about 150 s on an idle 2-core machine) and keeps
// about one core busy (its lanes wait on stacks and timers): started first, it runs beside the other worker's files
// instead of after them, alone, with a core idle. Its rows are written for that: a 503 from a starved machine is sent
// again as a provider would, and fails a row only when the intake's log shows no slow call behind it.
import TestSequencer from "@jest/test-sequencer";

const FIRST = ["test/reliability/reliabilityQuick.test.ts"];

export default class OncegateSequencer extends TestSequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const first = (test) => FIRST.some((path) => test.path.endsWith(path));
    return [...sorted.filter(first), ...sorted.filter((test) => !first(test))];
  }
}
