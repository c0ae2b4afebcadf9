/**
 * @weightspace/assignment: the subproblems of weight matching, solved exactly. The linear
 * assignment problem (shortest augmenting paths with warm starts, row scans in WebAssembly SIMD)
 * for permutations; the orthogonal Procrustes problem (the polar factor, by a one-sided Jacobi
 * SVD with its row operations in WebAssembly SIMD) for orthogonal maps. No tfjs: usable on its own.
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
export {
  polarDecomposition,
  polarFactor,
  type SingularValueDecomposition,
  singularValueDecomposition,
  type SquareMatrix,
} from './polar-decomposition';
