// Package cli is a terminal channel: chat with any bot on stdin and stdout,
// interactively or from a pipe (printf 'hi\n' | mybot).
//
// # Overview
//
//	bot := parley.NewBot(handler)
//	err := cli.Run(ctx, bot, os.Stdin, os.Stdout, cli.Config{
//		CustomerID: "cus_1",
//		Echo:       !cli.IsTerminal(os.Stdin),
//	})
//
// Quick replies are shown numbered; typing the number sends the option.
// Cards and attachments are shown as text. "/quit" or end of input ends the
// chat.
//
// # Concurrency
//
// Run handles one conversation on the calling goroutine.
//
// # Errors
//
// Run returns nil at end of input, the context's error when ctx ends, and
// otherwise the first read, write or turn error.
package cli
