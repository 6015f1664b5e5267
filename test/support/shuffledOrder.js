// A jest test sequencer that runs the files in a shuffled order, seeded by TEST_ORDER_SEED (default: the time, printed),
// to find tests that pass only after another file prepared the store: `npm test -- --testSequencer=./test/support/shuffledOrder.js`.
// Plain JavaScript: jest loads a sequencer without transforming it.
const Sequencer = require('@jest/test-sequencer').default;

class ShuffledOrder extends Sequencer {
  sort(tests) {
    const seed = Number(process.env.TEST_ORDER_SEED || Date.now() % 2147483647);
    process.stderr.write(`[test order] shuffled with TEST_ORDER_SEED=${seed}\n`);
    let state = seed;
    // A linear congruential generator: the same seed gives the same order on any machine.
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const order = [...tests].sort((a, b) => a.path.localeCompare(b.path));
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }
}

module.exports = ShuffledOrder;
