import type { Item } from './item.js'

const adjectives = [
  'Sturdy',
  'Compact',
  'Vintage',
  'Modern',
  'Rustic',
  'Elegant',
  'Portable',
  'Heavy-duty',
  'Minimal',
  'Classic',
  'Foldable',
  'Ergonomic',
  'Waterproof',
  'Handmade',
  'Lightweight',
  'Deluxe',
]
const materials = [
  'Oak',
  'Walnut',
  'Steel',
  'Aluminium',
  'Bamboo',
  'Ceramic',
  'Glass',
  'Leather',
  'Linen',
  'Wool',
  'Copper',
  'Marble',
  'Cotton',
  'Birch',
  'Brass',
  'Canvas',
]
const products: ReadonlyArray<readonly [category: string, noun: string]> = [
  ['furniture', 'Chair'],
  ['furniture', 'Table'],
  ['furniture', 'Shelf'],
  ['furniture', 'Stool'],
  ['kitchen', 'Kettle'],
  ['kitchen', 'Teapot'],
  ['kitchen', 'Bowl'],
  ['kitchen', 'Cutting Board'],
  ['lighting', 'Lamp'],
  ['lighting', 'Lantern'],
  ['lighting', 'Pendant Light'],
  ['outdoor', 'Bench'],
  ['outdoor', 'Planter'],
  ['outdoor', 'Hammock'],
  ['office', 'Desk'],
  ['office', 'Notebook'],
  ['office', 'Pen Holder'],
  ['office', 'Monitor Stand'],
  ['textiles', 'Blanket'],
  ['textiles', 'Cushion'],
  ['textiles', 'Rug'],
  ['textiles', 'Apron'],
]
const qualities = [
  'built to last',
  'easy to clean',
  'made in small batches',
  'finished by hand',
  'sustainably sourced',
  'with a lifetime warranty',
  'designed in Lisbon',
  'tested for daily use',
  'in a matte finish',
  'with rounded edges',
  'flat-packed for shipping',
  'in three sizes',
]

/**
 * A small deterministic pseudo-random generator (mulberry32): every database seeded from the same
 * seed holds the same rows, so tests and walkthroughs can name items by id.
 */
function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)]!
}

/**
 * Yields `count` catalog items with ids 1..count, always the same for the same `seed`.
 *
 * @example
 * for (const item of generateItems(3)) console.log(item.name)
 */
export function* generateItems(count: number, seed = 42): Generator<Item> {
  const random = createRandom(seed)
  for (let id = 1; id <= count; id++) {
    const [category, noun] = pick(products, random)
    const material = pick(materials, random)
    const name = `${pick(adjectives, random)} ${material} ${noun}`
    const description = `A ${material.toLowerCase()} ${noun.toLowerCase()} ${pick(qualities, random)}, ${pick(qualities, random)}.`
    yield {
      id,
      sku: `SKU-${String(id).padStart(6, '0')}`,
      name,
      category,
      description,
      priceCents: 500 + Math.floor(random() * 49_500),
      stock: Math.floor(random() * 200),
    }
  }
}
