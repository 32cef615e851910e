/**
 * Makes `<root>/dist` hold the compiled sources of `<root>/src` and `<root>/plugins` as they are
 * now (root: this package's); true when it compiled.
 */
export declare function ensureCompiled(root?: string): Promise<boolean>;
