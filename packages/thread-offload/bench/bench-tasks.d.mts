/** The trivial task: returns its input. */
export declare function trivial(value: number): number
/** A fixed integer loop, calibrated by the benchmark to about 1 ms. */
export declare function cpu(iterations: number): number
