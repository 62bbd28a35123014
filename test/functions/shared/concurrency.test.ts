import { mapWithConcurrency } from '../../../functions/shared/concurrency';

/** A function whose calls finish in an order the test controls, counting the calls in flight. */
function tracked<T>(delayOf: (item: T) => number) {
  const state = { inFlight: 0, maxInFlight: 0, started: [] as T[] };
  const fn = async (item: T, index: number): Promise<string> => {
    state.started.push(item);
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayOf(item)));
    state.inFlight--;
    return `${String(item)}@${index}`;
  };
  return { fn, state };
}

describe('mapWithConcurrency', () => {
  it.each([
    [1, 10],
    [3, 10],
    [5, 12],
    [20, 7],
  ])('with limit %i over %i items keeps the order and never exceeds the limit', async (limit, count) => {
    const items = Array.from({ length: count }, (_, i) => i);
    // later items finish first, so results arrive out of order
    const { fn, state } = tracked<number>((item) => (count - item) % 4);
    const results = await mapWithConcurrency(items, limit, fn);
    expect(results).toEqual(items.map((i) => `${i}@${i}`));
    expect(state.maxInFlight).toBe(Math.min(limit, count));
    expect(state.started).toHaveLength(count);
    expect([...state.started].sort((a, b) => a - b)).toEqual(items);
  });

  it('returns an empty list for no items without calling fn', async () => {
    const fn = jest.fn(async (item: number) => item);
    await expect(mapWithConcurrency([], 5, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects when one call rejects', async () => {
    await expect(
      mapWithConcurrency([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error('boom on 2');
        return item;
      }),
    ).rejects.toThrow('boom on 2');
  });
});
