package workflows

import (
	"encoding/json"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// signalDescriptions explain each signal and update in the Web UI's dropdowns (SPEC AG8).
var signalDescriptions = map[Action]string{
	ActionAcknowledge: `Liaison acknowledges the completed exits: {"from":"email","note":"..."}`,
	ActionReportIssue: `Liaison reports a problem; pauses the agreement until resume: {"from":"email","description":"..."}`,
	ActionResume:      `HMIS staff resume a paused agreement: {"from":"email","note":"..."}`,
	ActionExtend:      `HMIS staff move the period's end, during the period: {"from":"email","period_end":"YYYY-MM-DD","reason":"..."}`,
	ActionCancel:      `HMIS staff cancel the agreement before it completes: {"from":"email","reason":"..."}`,
}

// registerHandlers requests every signal channel and registers the updates and the status query at
// the top of the run, so that the UI lists them with descriptions (NOTES).
func (s *agreementState) registerHandlers(ctx workflow.Context) ([]workflow.ReceiveChannel, error) {
	chans := make([]workflow.ReceiveChannel, 0, len(Actions))
	for _, a := range Actions {
		chans = append(chans, workflow.GetSignalChannelWithOptions(ctx, string(a),
			workflow.SignalChannelOptions{Description: signalDescriptions[a]}))
	}
	for _, a := range Actions {
		if err := s.registerUpdate(ctx, a); err != nil {
			return nil, err
		}
	}
	return chans, workflow.SetQueryHandlerWithOptions(ctx, QueryStatus, func() (AgreementStatus, error) {
		return s.status, nil
	}, workflow.QueryHandlerOptions{Description: "Phase, deadlines, counts, acknowledgement and rejected signals (SPEC AG8)"})
}

// registerUpdate registers the update of action a: validated by check, applied like the signal.
func (s *agreementState) registerUpdate(ctx workflow.Context, a Action) error {
	handler := func(ctx workflow.Context, raw json.RawMessage) (SignalResult, error) {
		v, reason := s.check(ctx, a, raw)
		if reason != "" { // the state moved between the validator and the handler
			s.reject(ctx, a, raw, v, reason)
			return SignalResult{Phase: s.status.Phase, Message: reason}, nil
		}
		s.apply(ctx, a, v)
		return SignalResult{Accepted: true, Phase: s.status.Phase, Message: string(a) + " accepted"}, nil
	}
	validator := func(ctx workflow.Context, raw json.RawMessage) error {
		if _, reason := s.check(ctx, a, raw); reason != "" {
			return temporal.NewNonRetryableApplicationError(reason, ErrInvalidInput, nil)
		}
		return nil
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateName(a), handler, workflow.UpdateHandlerOptions{
		Validator: validator, Description: signalDescriptions[a] + " Answers at once whether it was accepted.",
	})
}

// listen receives the signals for the rest of the run, in arrival order.
func (s *agreementState) listen(ctx workflow.Context, chans []workflow.ReceiveChannel) {
	sel := workflow.NewSelector(ctx)
	for i, ch := range chans {
		a := Actions[i]
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			var raw json.RawMessage
			c.Receive(ctx, &raw)
			s.onSignal(ctx, a, raw)
		})
	}
	for {
		sel.Select(ctx)
	}
}

// drain handles the signals still buffered when the run ends: each is rejected (the agreement is over).
func (s *agreementState) drain(ctx workflow.Context, chans []workflow.ReceiveChannel) {
	for i, ch := range chans {
		var raw json.RawMessage
		for ch.ReceiveAsync(&raw) {
			s.onSignal(ctx, Actions[i], raw)
			raw = nil
		}
	}
}

// onSignal checks and applies one signal; a refused one is recorded, never fatal (issue 10).
func (s *agreementState) onSignal(ctx workflow.Context, a Action, raw json.RawMessage) {
	v, reason := s.check(ctx, a, raw)
	if reason != "" {
		s.reject(ctx, a, raw, v, reason)
		return
	}
	s.apply(ctx, a, v)
}

// reject keeps a refused action in the status and the audit log (SPEC AG6, S2); the raw payload is dropped.
func (s *agreementState) reject(ctx workflow.Context, a Action, raw json.RawMessage, v any, reason string) {
	from := fromOf(v)
	if v == nil {
		from = senderOf(raw)
	}
	s.status.Rejected = append(s.status.Rejected, RejectedSignal{From: from, Action: a, Reason: reason, At: workflow.Now(ctx)})
	s.refresh(ctx)
	s.background(ctx, func(ctx workflow.Context) {
		s.record(ctx, from, "signal-rejected", reason, map[string]any{"action": string(a)})
	})
}

// background runs a handler's side effects (audit, notices) without blocking the handler; the run
// waits for them before it returns.
func (s *agreementState) background(ctx workflow.Context, fn func(workflow.Context)) {
	s.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { s.inflight-- }()
		fn(ctx)
	})
}
