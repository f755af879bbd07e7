package main

import (
	"context"
	"errors"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
)

// demoLinker stands in for the application's login on the web chat: a
// widget conversation belongs to the demo customer it switched to, else
// to the default one, so that its kept transcript is linked to a customer
// and erasing that customer (/forget, the staff privacy page, "delete my
// data") deletes it too. A real application links a visitor once it has
// verified their e-mail or phone (channel.StoreLinker).
type demoLinker struct {
	store    memory.Store
	fallback string // the -customer flag
}

// Resolve implements [channel.Linker].
func (l demoLinker) Resolve(ctx context.Context, id channel.Identity) (string, error) {
	rec, err := l.store.Get(ctx, demoKey(id.UserID))
	switch {
	case err == nil && len(rec.Value) > 0:
		return string(rec.Value), nil
	case err != nil && !errors.Is(err, memory.ErrNotFound):
		return "", err
	case l.fallback == "":
		return "", channel.ErrNotLinked
	}
	return l.fallback, nil
}

// Link implements [channel.Linker]: the demo signs visitors in with its
// customer selector only.
func (demoLinker) Link(context.Context, channel.Identity, channel.Contact) (string, error) {
	return "", errors.New("demo: pick a customer with the page's selector")
}
