package engine

import (
	"context"
	"fmt"
)

// writeAudit records an engine action (SPEC U1): the one writer of exitflow.audit, used by exit
// runs, undos, alert passes and policy changes. reason, wfID and wfRunID are NULL when empty; details
// hold IDs and counts only. The row's time is the transaction's (the column default, now()).
func writeAudit(ctx context.Context, q Querier, actor, action, reason, wfID, wfRunID string, details map[string]any) error {
	_, err := q.Exec(ctx, `INSERT INTO exitflow.audit (actor, action, reason, workflow_id, workflow_run_id, details)
		VALUES ($1, $2, $3, $4, $5, $6)`, actor, action, nullText(reason), nullText(wfID), nullText(wfRunID), details)
	if err != nil {
		return fmt.Errorf("recording the audit: %w", err)
	}
	return nil
}
