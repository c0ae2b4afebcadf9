/**
 * The part of the WebAssembly JavaScript API weightspace uses (its kernels and the assignment
 * solver). Node has it as a global; its types live in TypeScript's DOM library, which this project
 * does not load. Every package's tsconfig includes this file through tsconfig.base.json.
 */
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
