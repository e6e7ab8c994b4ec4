/**
 * How the dead-letter pass's budget (`maxPerRun` messages a run) is split over the dead-letter queues, one per
 * destination on AWS. One budget for all, not one per queue: each message costs a receive's share and a GetItem, so
 * a budget per queue would let a gateway whose hundred destinations all failed look at 10 000 messages a run, far
 * past the sweeper's 50 s (its walk takes up to 30 of them). Split by what each queue holds rather than evenly: one
 * destination down with 5 000 dead jobs beside nine with one each gets 91 of 100, not 10. No AWS import.
 */

/**
 * Each queue's share of `budget`, from the messages each holds (`visible`, SQS's approximate count). An empty queue
 * gets 0 (the pass reads nothing more from it); every other gets at least 1, so none waits behind the others, even
 * past `budget` non-empty queues (then each gets 1, and the run looks at more than `budget`). Otherwise the shares
 * sum to `budget`, max-min fair: the queues are served smallest first, each given what it holds up to an even split
 * of what is left. The fullest queue gets whatever is left, uncapped by its count: the count is approximate (it
 * lags messages that just arrived), and its pass stops at an empty receive anyway. A budget of 0 gives every queue
 * 0: the pass reads nothing past each queue's count.
 */
export function deadLetterShares(visible: readonly number[], budget: number): number[] {
  const shares = visible.map(() => 0);
  const smallestFirst = visible
    .map((count, index) => ({ count, index }))
    .filter(({ count }) => count > 0)
    .sort((a, b) => a.count - b.count || a.index - b.index);
  let left = Math.max(0, Math.floor(budget));
  if (left === 0) return shares;
  smallestFirst.forEach(({ count, index }, position) => {
    const waiting = smallestFirst.length - position;
    const even = Math.max(1, Math.floor(left / waiting));
    const share = waiting === 1 ? Math.max(1, left) : Math.min(count, even);
    shares[index] = share;
    left -= share;
  });
  return shares;
}
