// Cost of one call from config.prices (USD per million tokens). A model without a price costs 0
// and is named once in a warning, so budget limits stay honest about what they cannot see.
import type { Config } from '../config.ts';
import type { Tokens } from './types.ts';

export type PriceTable = Config['prices'];

/** Returns a cost function that warns once per model missing from the price table. */
export function makeCoster(prices: PriceTable, warn: (line: string) => void): (model: string, tokens: Tokens) => number {
  const warned = new Set<string>();
  return (model, tokens) => {
    const p = prices[model];
    if (!p) {
      if (!warned.has(model)) {
        warned.add(model);
        warn(`warning: no price for model "${model}" in config.prices; its calls are counted as $0 against --max-cost`);
      }
      return 0;
    }
    return (tokens.input * p.input + tokens.output * p.output + tokens.cache_write * p.cache_write + tokens.cache_read * p.cache_read) / 1e6;
  };
}
