package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/schedule"
)

// Forgetting a customer: one privacy.Eraser over every place the example
// keeps personal data. "/forget" in the terminal erases the customer you
// are chatting as, "/export" prints everything kept about them as JSON.
// On a SQLite file the file is compacted after each erasure (VACUUM and
// a truncated write-ahead log), so the erased text is gone from the bytes
// on disk, not only from the tables.

// forgetting is the example's eraser.
type forgetting struct {
	eraser *privacy.Eraser
	// compact rewrites the store's file after an erasure; nil in memory.
	compact func(context.Context) error
}

// newForgetting wires the eraser over a's stores, the registry reg (its
// pending approvals and audit) and the campaign jobs.
func newForgetting(a *app, reg *action.Registry, jobs schedule.Store) *forgetting {
	// The review queue first: it finds the customer's items through
	// their conversations, which the "sessions" source erases.
	sources := append([]privacy.Source{reviewSource{a.learn.queue, memory.NewSessions(a.store)}}, privacy.StoreSources(a.store)...)
	sources = append(sources,
		// The desk's open tickets are journaled in the store (deskjournal.go).
		privacy.RecordSource("desk_journal", a.store, deskPrefix, "customer_id"),
		a.desk,                             // the tickets, with their threads, in the agents' workspace
		action.PrivacySource(reg),          // pending approvals withdrawn, the audit pseudonymised
		a.gaps,                             // the help centre's unanswered questions
		privacy.ObserverSource(a.dash.rec), // the dashboard's analytics
		privacy.JobsSource(jobs),           // campaign steps waiting for the customer
	)
	f := &forgetting{eraser: privacy.NewEraser(sources...)}
	if c, ok := a.store.(interface{ Compact(context.Context) error }); ok {
		f.compact = c.Compact
	}
	return f
}

// erase deletes everything kept about customerID and then compacts the
// store's file.
func (f *forgetting) erase(ctx context.Context, customerID string) error {
	if err := f.eraser.Erase(ctx, customerID); err != nil {
		return err
	}
	if f.compact != nil {
		return f.compact(ctx)
	}
	return nil
}

// export returns everything kept about customerID as indented JSON.
func (f *forgetting) export(ctx context.Context, customerID string) ([]byte, error) {
	return f.eraser.Export(ctx, customerID)
}

// command runs the terminal's "/forget" and "/export" for customerID and
// returns what to print; ok is false for any other line.
func (f *forgetting) command(ctx context.Context, line, customerID string) (out string, ok bool) {
	switch strings.TrimSpace(line) {
	case "/forget":
		if err := f.erase(ctx, customerID); err != nil {
			return fmt.Sprintf("(could not erase everything: %v; /forget again retries)", err), true
		}
		return "(everything ShopCo kept about you is erased: your conversations, profile, requests waiting for approval and tickets. A new message starts afresh.)", true
	case "/export":
		b, err := f.export(ctx, customerID)
		if err != nil {
			return fmt.Sprintf("(export incomplete: %v)\n%s", err, b), true
		}
		return string(b), true
	}
	return "", false
}

// reviewSource is the intent review queue (learn.go) as a privacy
// source: its items are the customer's words (redacted), kept by
// conversation, so it finds the customer's conversations among the
// sessions. It must run before the sessions are erased: an erasure
// retried after that leaves the items to expire (90 days).
type reviewSource struct {
	queue    *learn.Queue
	sessions *memory.Sessions
}

// Name implements privacy.Source.
func (reviewSource) Name() string { return "review_queue" }

// items returns the queued and labelled items of customerID's
// conversations.
func (s reviewSource) items(ctx context.Context, customerID string) ([]learn.Item, error) {
	convs := map[string]bool{}
	var errs []error
	err := s.sessions.Store().Keys(ctx, "session/", func(k string) bool {
		conv := strings.TrimPrefix(k, "session/")
		sess, err := s.sessions.Load(ctx, conv)
		switch {
		case errors.Is(err, memory.ErrNotFound):
		case err != nil:
			errs = append(errs, err)
		case sess.CustomerID == customerID:
			convs[conv] = true
		}
		return true
	})
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, err
	}
	var out []learn.Item
	for _, labelled := range []bool{false, true} {
		items, err := s.queue.Items(ctx, labelled)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if convs[it.Conversation] {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// Export implements privacy.Source.
func (s reviewSource) Export(ctx context.Context, customerID string) (any, error) {
	return s.items(ctx, customerID)
}

// Erase implements privacy.Source.
func (s reviewSource) Erase(ctx context.Context, customerID string) error {
	items, err := s.items(ctx, customerID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := s.queue.Discard(ctx, it.ID); err != nil {
			return err
		}
	}
	return nil
}
