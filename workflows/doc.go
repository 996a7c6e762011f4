// Package workflows holds exitflow's Temporal workflows: one agency agreement per workflow
// (SPEC section 10) and the scheduled auto-exit and DQM passes. Workflow code is deterministic and
// carries IDs and counts only; client lists stay in PostgreSQL (SPEC section 17).
package workflows
