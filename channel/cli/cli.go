package cli

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
)

// Config configures a terminal chat. The zero value works.
type Config struct {
	// ConversationID defaults to a random one.
	ConversationID string
	CustomerID     string
	Locale         string
	// Channel names the channel in turns (default "cli").
	Channel string
	// Start, if set, is the name of a signal delivered before the first
	// line, so the bot can greet first.
	Start string
	// Echo writes each input line after the prompt, for piped input.
	Echo bool
	// Prompt precedes user input (default "you> "); BotPrefix precedes
	// bot lines (default "bot> ").
	Prompt, BotPrefix string
	// MaxLine is the longest accepted input line in bytes (default 1 MiB);
	// a longer line is sent truncated to the bot, which rejects it politely.
	MaxLine int
}

// IsTerminal reports whether f is a character device (a terminal).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Run chats with h until in ends, the user types /quit, or ctx ends.
func Run(ctx context.Context, h parley.Handler, in io.Reader, out io.Writer, cfg Config) error {
	cfg.ConversationID = cmp.Or(cfg.ConversationID, "cli-"+uuid.NewString())
	cfg.Channel = cmp.Or(cfg.Channel, "cli")
	cfg.Prompt = cmp.Or(cfg.Prompt, "you> ")
	cfg.BotPrefix = cmp.Or(cfg.BotPrefix, "bot> ")
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = 1 << 20
	}
	c := &chat{h: h, out: out, cfg: cfg, prefix: uuid.NewString()[:8]}
	if cfg.Start != "" {
		if err := c.deliver(ctx, &parley.Turn{Signal: &parley.Signal{Name: cfg.Start}}); err != nil {
			return err
		}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), cfg.MaxLine)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := io.WriteString(out, cfg.Prompt); err != nil {
			return err
		}
		if !sc.Scan() {
			if _, err := io.WriteString(out, "\n"); err != nil {
				return err
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("cli: read: %w", err)
			}
			return nil
		}
		line := sc.Text()
		if cfg.Echo {
			if _, err := fmt.Fprintln(out, line); err != nil {
				return err
			}
		}
		switch strings.TrimSpace(line) {
		case "/quit":
			return nil
		case "":
			// A blank line is no message: Enter pressed twice, or the
			// empty lines of a pasted or piped script. Sent on, it read
			// as an answer nobody gave ("Please pick one of the options")
			// and, twice, as reason to offer a person.
			continue
		}
		if err := c.deliver(ctx, &parley.Turn{Message: parley.Text(c.resolve(line))}); err != nil {
			return err
		}
	}
}

type chat struct {
	h      parley.Handler
	out    io.Writer
	cfg    Config
	prefix string
	seq    int
	quick  []parley.QuickReply
}

// resolve maps a typed number to the matching quick reply's value.
func (c *chat) resolve(line string) string {
	if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(c.quick) {
		return c.quick[n-1].Value()
	}
	return line
}

func (c *chat) deliver(ctx context.Context, t *parley.Turn) error {
	c.seq++
	t.ConversationID, t.CustomerID, t.Channel, t.Locale = c.cfg.ConversationID, c.cfg.CustomerID, c.cfg.Channel, c.cfg.Locale
	t.MessageID = fmt.Sprintf("%s-%d", c.prefix, c.seq)
	t.Time = time.Now()
	w := &writer{c: c}
	if err := c.h.HandleTurn(ctx, w, t); err != nil {
		return fmt.Errorf("cli: turn: %w", err)
	}
	if w.sent {
		c.quick = w.quick
	}
	return nil
}

// writer prints replies for one turn.
type writer struct {
	c     *chat
	sent  bool
	quick []parley.QuickReply
}

// Reply implements [parley.ReplyWriter].
func (w *writer) Reply(_ context.Context, m parley.Message) error {
	w.sent = true
	w.quick = m.QuickReplies
	_, err := io.WriteString(w.c.out, Format(m, w.c.cfg.BotPrefix))
	return err
}

// Format renders a message as terminal text, each line after prefix.
func Format(m parley.Message, prefix string) string {
	var b strings.Builder
	line := func(s string) {
		b.WriteString(prefix)
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if m.Text != "" {
		for _, l := range strings.Split(m.Text, "\n") {
			line(l)
		}
	}
	for _, card := range m.Cards {
		s := "[card] " + card.Title
		if card.Subtitle != "" {
			s += " - " + card.Subtitle
		}
		if card.URL != "" {
			s += " (" + card.URL + ")"
		}
		line(s)
		for _, btn := range card.Buttons {
			if btn.URL != "" {
				line("       > " + btn.Title + " (" + btn.URL + ")")
			} else {
				line("       > " + btn.Title)
			}
		}
	}
	for _, a := range m.Attachments {
		name := a.Name
		if name == "" {
			name = a.URL
		}
		line("[" + string(a.Kind) + "] " + name)
	}
	if len(m.QuickReplies) > 0 {
		opts := make([]string, len(m.QuickReplies))
		for i, q := range m.QuickReplies {
			opts[i] = fmt.Sprintf("[%d] %s", i+1, q.Title)
		}
		line("   " + strings.Join(opts, "  "))
	}
	return b.String()
}
