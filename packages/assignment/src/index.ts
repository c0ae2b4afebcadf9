/**
 * @weightspace/assignment: the linear assignment problem, solved exactly (shortest augmenting
 * paths with warm starts, row scans in WebAssembly SIMD). No tfjs: usable on its own.
 * @packageDocumentation
 */
export {
  assignmentCost,
  type AssignmentSolution,
  type AssignmentWarmStart,
  AssignmentWorkspace,
  linearSumAssignment,
  solveAssignment,
} from './linear-assignment';
