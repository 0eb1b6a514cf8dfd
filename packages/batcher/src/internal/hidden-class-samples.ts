/**
 * One instance of each class on a hot path, kept for the life of the module.
 *
 * V8 gives a class instance its hidden class (the layout optimized code is compiled against) through
 * one transition per field, and holds those transitions only weakly. When no instance of a class is
 * alive at a full garbage collection, they are collected: every function optimized for that class is
 * thrown away, and the next instances get new hidden classes, so those functions run unoptimized
 * until they are compiled again. Batches are short-lived, so this happens whenever every batch has
 * settled; batchers created per request lose their layout the same way. In a benchmark that creates
 * a batcher per round it cost about a fifth of the throughput. A sample instance keeps the transitions
 * alive. It must hold the same kinds of values as real instances: a number field that may take a
 * fraction must start as one (not as a small integer), or the first real instance replaces the
 * sample's hidden class and the point is lost.
 */
const samples: object[] = []

/** Keeps `sample` (and so its class's hidden class) alive for the life of the module. */
export function keepHiddenClass(sample: object): void {
  samples.push(sample)
}
