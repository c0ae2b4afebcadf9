import { ConfigError } from '../errors/errors';
import { headOf } from '../data/dataset';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import type { MatchContext, MatchData } from './matcher';

/** The context's data, or an error naming the matcher that needs it. */
export function requireData(context: MatchContext, matcher: string): MatchData {
  if (!context.data)
    throw new ConfigError(
      `matcher '${matcher}' needs the networks and training data (context.data); weight matching needs neither`,
    );
  return context.data;
}

/** The first `samples` training samples as fixed batches. The caller disposes them. */
export function matchBatches(data: MatchData): EvaluationBatches {
  const shape = data.plugin.inputShape(data.config);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  return EvaluationBatches.from(headOf(data.train, data.samples ?? 5000, size), shape, data.batchSize ?? 500);
}
