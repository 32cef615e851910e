/** The compiled harness's folder. */
export declare const DIST: string;
/** Makes dist/ hold the compiled sources as they are now; true when it compiled. */
export declare function ensureCompiled(): Promise<boolean>;
