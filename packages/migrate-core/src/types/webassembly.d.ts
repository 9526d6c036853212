// The slice of the WebAssembly JS API we use. Node has it at runtime; @types/node 20 does not
// declare it, and the DOM lib (which does) would bring browser globals into a Node package.
declare namespace WebAssembly {
  type ModuleImports = Record<string, unknown>;
  type Exports = Record<string, unknown>;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, ModuleImports>);
    readonly exports: Exports;
  }
  class RuntimeError extends Error {}
}
