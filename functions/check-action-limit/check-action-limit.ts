/**
 * The circuit breaker. Adds up the planned deactivations and deletions of every batch; more
 * than maxActionsPerRun and the run changes nothing at all. Pure: no AWS call.
 */
import { z } from 'zod';
import { emptyActionCounts, findSummarySchema, type Plan } from '../shared/batch-files';
import { ACTIONS } from '../shared/policy';
import { layout } from '../shared/report-layout';
import { parseEvent, runSchema, type Run } from '../shared/run';

export const checkActionLimitEventSchema = z.object({ run: runSchema, found: z.array(findSummarySchema) });

export function checkActionLimit(event: unknown, maxActionsPerRun: number): { run: Run; plan: Plan } {
  const { run, found } = parseEvent(checkActionLimitEventSchema, event, 'check-action-limit');
  const counts = emptyActionCounts();
  for (const batch of found) for (const action of ACTIONS) counts[action] += batch.counts[action];
  const plannedActions = found.reduce((sum, batch) => sum + batch.plannedActions, 0);
  const batches = found
    .filter((batch) => batch.plannedActions > 0)
    .sort((a, b) => a.index - b.index)
    .map((batch) => ({
      index: batch.index,
      actionCount: batch.plannedActions,
      actionsKey: layout.actionsOfBatch(run.prefix, batch.index),
      resultsKey: layout.resultsOfBatch(run.prefix, batch.index),
    }));
  return {
    run,
    plan: {
      plannedActions,
      maxActionsPerRun,
      // Report mode changes nothing, so the breaker has nothing to stop; the report still says so.
      limitExceeded: run.mode === 'enforce' && plannedActions > maxActionsPerRun,
      overLimit: plannedActions > maxActionsPerRun,
      keysSeen: found.reduce((sum, batch) => sum + batch.keysSeen, 0),
      usersRead: found.reduce((sum, batch) => sum + batch.usersRead, 0),
      usersGone: found.reduce((sum, batch) => sum + batch.usersGone, 0),
      counts,
      batches,
    },
  };
}
