package action

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/llm"
)

// ErrInvalidToolCalls is returned by [Loop.Run] when the model keeps
// sending arguments that fail validation.
var ErrInvalidToolCalls = errors.New("action: too many invalid tool calls")

// ErrTooManySteps is returned by [Loop.Run] when the model keeps calling
// tools without answering.
var ErrTooManySteps = errors.New("action: too many tool-calling steps")

// A Loop lets a model call a registry's actions through tool calling,
// with every guardrail of [Registry.Call] applied in code: the model
// proposes, the registry disposes. Invalid arguments are sent back to the
// model to fix, at most MaxInvalid times; refusals and approval requests
// are reported to the model so it can tell the user; a call that needs the
// user's confirmation stops the loop.
type Loop struct {
	Model    llm.Model
	Registry *Registry
	// MaxInvalid is how many invalid tool calls are sent back to the
	// model before giving up with [ErrInvalidToolCalls]; default 2.
	MaxInvalid int
	// MaxSteps bounds model calls per Run; default 6.
	MaxSteps int
	// Approver, if set, receives approval requests for this loop's calls.
	Approver Approver
}

// An Outcome is the result of a [Loop.Run].
type Outcome struct {
	// Reply is the model's final answer, when it gave one.
	Reply *llm.Response
	// Confirm is set when a call needs the user's confirmation: ask
	// Result.Prompt, and on "yes" run Call again with Confirmed set.
	Confirm *PendingCall
	// Calls lists every call and its outcome, in order.
	Calls []CallRecord
	// Messages is the conversation with the model, tool results included.
	Messages []llm.Message
	// ModelCalls lists every model call, in order.
	ModelCalls []ModelCall
}

// A ModelCall is one call a [Loop] made to its model.
type ModelCall struct {
	Time time.Time
	// Model names the model that answered, when it said.
	Model   string
	Usage   llm.Usage
	Latency time.Duration
	Err     error
}

// Event kinds [Outcome.Report] emits, for analytics.
const (
	// EventModelCall: a model call; Attrs "model", "input_tokens",
	// "output_tokens"; Duration is its latency and Err its failure.
	EventModelCall parley.EventKind = "llm.call"
	// EventCall: an action call; Attrs "action" and "outcome" (a
	// [Status], "invalid" for arguments that failed validation,
	// "refused" or "error").
	EventCall parley.EventKind = "action.call"
)

// Report emits an [EventModelCall] for each model call and an
// [EventCall] for each action call of the outcome on turn t. An Outcome
// returned with an error is reported too.
func (o *Outcome) Report(ctx context.Context, t *parley.Turn) {
	if o == nil || !t.Observed() {
		return
	}
	for _, m := range o.ModelCalls {
		t.Emit(ctx, parley.Event{Kind: EventModelCall, Time: m.Time, Duration: m.Latency, Err: m.Err, Attrs: map[string]string{
			"model": m.Model, "input_tokens": strconv.Itoa(m.Usage.InputTokens), "output_tokens": strconv.Itoa(m.Usage.OutputTokens)}})
	}
	for _, c := range o.Calls {
		outcome := string(c.Result.Status)
		var ae *ArgsError
		switch {
		case errors.As(c.Err, &ae):
			outcome = "invalid"
		case c.Err != nil && isRefusal(c.Err):
			outcome = "refused"
		case c.Err != nil:
			outcome = "error"
		}
		t.Emit(ctx, parley.Event{Kind: EventCall, Attrs: map[string]string{"action": c.Call.Action, "outcome": outcome}})
	}
}

// A PendingCall is a call waiting for the user's confirmation.
type PendingCall struct {
	Call   Call
	Result Result
}

// A CallRecord is one tool call and what the registry did with it.
type CallRecord struct {
	Call   Call
	Result Result
	Err    error
}

// Run asks the model for the next message, runs the tools it calls, and
// repeats until it answers in text, a call needs confirmation, or a
// limit is reached. The request's Tools are replaced with the registry's.
// The calls are made for the conversation req.Conversation and the
// customer in ctx ([WithCustomer]); the model chooses only the action
// and its arguments.
func (l *Loop) Run(ctx context.Context, req *llm.Request) (*Outcome, error) {
	maxInvalid, maxSteps := l.MaxInvalid, l.MaxSteps
	if maxInvalid <= 0 {
		maxInvalid = 2
	}
	if maxSteps <= 0 {
		maxSteps = 6
	}
	r := *req
	r.Messages = append([]llm.Message(nil), req.Messages...)
	out := &Outcome{}
	invalid := 0
	for range maxSteps {
		r.Tools = l.Registry.Tools()
		start := time.Now()
		resp, err := l.Model.Generate(ctx, &r)
		mc := ModelCall{Time: start, Latency: time.Since(start), Err: err, Usage: usageOf(err)}
		if resp != nil {
			mc.Model, mc.Usage = resp.Model, resp.Usage
		}
		out.ModelCalls = append(out.ModelCalls, mc)
		if err != nil {
			out.Messages = r.Messages
			return out, fmt.Errorf("action: loop: %w", err)
		}
		r.Messages = append(r.Messages, resp.Message)
		if len(resp.Message.ToolCalls) == 0 {
			out.Reply, out.Messages = resp, r.Messages
			return out, nil
		}
		for _, tc := range resp.Message.ToolCalls {
			if out.Confirm != nil {
				// Every tool call needs a result message, or providers
				// reject the conversation when it continues.
				r.Messages = append(r.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: tc.ID,
					Content: "not run: waiting for the user to confirm an earlier action"})
				continue
			}
			c := Call{Action: tc.Name, Args: tc.Arguments, Conversation: req.Conversation, Customer: CustomerFrom(ctx), Approver: l.Approver,
				FromModel: true}
			res, err := l.Registry.Call(ctx, c)
			out.Calls = append(out.Calls, CallRecord{Call: c, Result: res, Err: err})
			var ae *ArgsError
			var content string
			switch {
			case errors.As(err, &ae):
				invalid++
				if invalid > maxInvalid {
					out.Messages = r.Messages
					return out, fmt.Errorf("%w: %d, last: %v", ErrInvalidToolCalls, invalid, err)
				}
				content = "error: " + err.Error() + ". Fix the arguments to match the schema and call again."
			case err != nil && isRefusal(err):
				content = "refused: " + err.Error() + ". Tell the user this cannot be done here."
			case err != nil:
				content = "failed: " + err.Error()
			case res.Status == NeedsConfirmation:
				out.Confirm = &PendingCall{Call: c, Result: res}
				content = "not run yet: waiting for the user to confirm: " + res.Prompt
			case res.Status == PendingApproval:
				content = "pending: this is over the automatic limit and was sent to a person for approval (" + res.ApprovalID + "). It has NOT been done. Tell the user a specialist will review it."
			default:
				content = string(res.Output)
			}
			r.Messages = append(r.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: tc.ID, Content: content})
		}
		if out.Confirm != nil {
			out.Messages = r.Messages
			return out, nil
		}
	}
	out.Messages = r.Messages
	return out, ErrTooManySteps
}

// HandOffApprover returns an [Approver] that sends approval requests to a
// human through h, for the conversation of turn t (replies go to w). The
// hand-off's Data is [ApprovalRequest.Data]: the approval ID, action,
// arguments (JSON), amount and limit under the Data* keys, which
// [ApprovalRequestFromData] decodes. The desk or console answers by
// calling [Registry.Approve] or [Registry.Reject] with the approval ID.
func HandOffApprover(h dialog.HandOffer, w parley.ReplyWriter, t *parley.Turn) Approver {
	return ApproverFunc(func(ctx context.Context, req ApprovalRequest) error {
		return h.HandOff(ctx, w, t, dialog.HandoffRequest{
			Reason:   fmt.Sprintf("approval needed: %s of %.2f is over the automatic limit of %.2f", req.Action, req.Amount, req.Limit),
			Priority: dialog.PriorityHigh,
			Note: fmt.Sprintf("Nothing has been done yet. Approve or reject approval %s; approving runs %s with the arguments shown.",
				req.ID, req.Action),
			Data: req.Data(),
		})
	})
}

// usageOf returns the tokens a failed call used, if it says.
func usageOf(err error) llm.Usage {
	var ue *llm.UsageError
	if errors.As(err, &ue) {
		return ue.Usage
	}
	return llm.Usage{}
}
