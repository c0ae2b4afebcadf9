/**
 * @weightspace/backend-webgpu: tfjs's webgpu backend on a GPU through Dawn's Node bindings (the
 * `webgpu` package), chosen only on request (`--backend webgpu`).
 * @packageDocumentation
 */
export { webgpuBackend, dawnNodePath } from './webgpu-backend';
export { backendWebgpuModule, backendWebgpuManifest } from './backend-webgpu-module';
