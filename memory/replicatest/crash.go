package replicatest

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// Environment variables of the crash test's child process.
const (
	envCrashChild    = "PARLEY_CRASH_CHILD"
	envCrashPlatform = "PARLEY_CRASH_PLATFORM"
	envCrashStore    = "PARLEY_CRASH_STORE"
)

// crashCountKey keeps the number of turns a crash-test conversation ran.
var crashCountKey = memory.NewStateKey[int]("crash.count")

// CrashConfig configures [Crash].
type CrashConfig struct {
	// Child is the name of the test function that calls [CrashChild] in
	// the same test binary, such as "TestCrashChild".
	Child string
	// Store says where the child's store is (a file, a schema, a key
	// prefix); the child's open function gets it.
	Store string
	// Kills is how many times the child is killed with SIGKILL at a
	// random point (default 100).
	Kills int
	// Conversations and Messages size the load (defaults 6 and 40).
	Conversations, Messages int
}

// A CrashResult reports what [Crash] observed.
type CrashResult struct {
	Kills int
	// Acknowledged is the number of messages the child acknowledged.
	Acknowledged int
	// Deliveries counts webhook deliveries, redeliveries included.
	Deliveries int
	// Lost counts acknowledged messages never answered; Repeated counts
	// side effects run twice for one message (under two idempotency
	// keys); Regenerated counts replies re-sent with different text;
	// Reordered counts replies out of order.
	Lost, Repeated, Regenerated, Reordered int
	// Replayed counts side-effect calls repeated with the same
	// idempotency key after a crash: an API that honours the key (as
	// payment APIs do) applies them once.
	Replayed int
}

// crashMessage is the webhook body and the platform's record of a
// message.
type crashMessage struct {
	Conv string `json:"conv"`
	ID   string `json:"id"`
	Seq  int    `json:"seq"`
}

type crashReply struct {
	Conv string `json:"conv"`
	ID   string `json:"id"`
	Text string `json:"text"`
}

type crashEffect struct {
	Key string `json:"key"`
	Msg string `json:"msg"`
}

// platform is the parent's fake messaging platform and payment API.
type platform struct {
	mu      sync.Mutex
	replies map[string]string              // reply ID -> text (first seen)
	regen   int                            // a reply ID re-sent with other text
	order   map[string][]int               // conversation -> seqs answered, first sends only
	effects map[string]map[string]struct{} // message -> idempotency keys
	applied map[string]int                 // idempotency key -> times the API applied it
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case "/reply":
		var rp crashReply
		if err := json.NewDecoder(r.Body).Decode(&rp); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if old, ok := p.replies[rp.ID]; ok {
			if old != rp.Text {
				p.regen++
			}
			return // a re-send: the platform dedupes by ID
		}
		p.replies[rp.ID] = rp.Text
		var seq int
		if _, err := fmt.Sscanf(rp.Text, "ack %d", &seq); err == nil {
			p.order[rp.Conv] = append(p.order[rp.Conv], seq)
		}
	case "/effect":
		var e crashEffect
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if p.effects[e.Msg] == nil {
			p.effects[e.Msg] = map[string]struct{}{}
		}
		p.effects[e.Msg][e.Key] = struct{}{}
		p.applied[e.Key]++ // an idempotent API would apply a key once
	default:
		http.NotFound(w, r)
	}
}

// Crash runs a bot in a child process (the test function cfg.Child, which
// calls [CrashChild] with a durable store), delivers webhooks to it as a
// platform does (redelivering anything not acknowledged, and a share of
// what was), kills it with SIGKILL at random points cfg.Kills times,
// restarts it, and finally checks from the customer's side, failing t
// otherwise: every acknowledged message answered, nothing answered twice
// with different words, no side effect run twice for one message, replies
// in order. It skips in -short mode.
func Crash(t *testing.T, cfg CrashConfig) CrashResult {
	t.Helper()
	if testing.Short() {
		t.Skip("starts 100+ processes")
	}
	if cfg.Kills <= 0 {
		cfg.Kills = 100
	}
	if cfg.Conversations <= 0 {
		cfg.Conversations = 6
	}
	if cfg.Messages <= 0 {
		cfg.Messages = 40
	}
	p := &platform{replies: map[string]string{}, order: map[string][]int{},
		effects: map[string]map[string]struct{}{}, applied: map[string]int{}}
	srv := httptest.NewServer(p)
	defer srv.Close()

	var res CrashResult
	acked := make([]int, cfg.Conversations) // per conversation: messages acknowledged
	client := &http.Client{Timeout: 5 * time.Second}
	deliver := func(addr string, c, seq int) (bool, error) {
		m := crashMessage{Conv: fmt.Sprint("conv-", c), ID: fmt.Sprintf("wamid.%d.%d", c, seq), Seq: seq}
		body, _ := json.Marshal(m)
		res.Deliveries++
		resp, err := client.Post("http://"+addr+"/webhook", "application/json", bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}
	allAcked := func() bool {
		for _, n := range acked {
			if n < cfg.Messages {
				return false
			}
		}
		return true
	}

	for final := false; !final; {
		child := startCrashChild(t, cfg, srv.URL)
		kill := res.Kills < cfg.Kills
		deadline := time.Now().Add(time.Duration(rand.IntN(40)) * time.Millisecond)
		for !allAcked() && (!kill || time.Now().Before(deadline)) {
			c := rand.IntN(cfg.Conversations)
			if acked[c] >= cfg.Messages {
				continue
			}
			seq := acked[c]
			if seq > 0 && rand.IntN(10) == 0 {
				seq = rand.IntN(seq) // a redelivery of an acknowledged message
			}
			ok, err := deliver(child.addr, c, seq)
			if err != nil {
				break // the child is gone (or going): deliver again later
			}
			if ok && seq == acked[c] {
				acked[c]++
				res.Acknowledged++
			}
		}
		if kill {
			child.kill(t)
			res.Kills++
			continue
		}
		// The last child runs until every acknowledged message is answered.
		final = true
		waitUntil := time.Now().Add(2 * time.Minute)
		for time.Now().Before(waitUntil) && p.answered() < res.Acknowledged {
			time.Sleep(20 * time.Millisecond)
		}
		child.kill(t)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range cfg.Conversations {
		conv := fmt.Sprint("conv-", c)
		got := p.order[conv]
		res.Lost += cfg.Messages - len(got)
		for i, seq := range got {
			if seq != i {
				res.Reordered++
			}
		}
	}
	for _, keys := range p.effects {
		res.Repeated += len(keys) - 1
	}
	for _, n := range p.applied {
		res.Replayed += n - 1
	}
	res.Regenerated = p.regen
	t.Logf("%+v", res)
	if res.Lost+res.Repeated+res.Regenerated+res.Reordered != 0 {
		t.Errorf("lost %d, repeated side effects %d, regenerated replies %d, reordered %d",
			res.Lost, res.Repeated, res.Regenerated, res.Reordered)
	}
	return res
}

func (p *platform) answered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, seqs := range p.order {
		n += len(seqs)
	}
	return n
}

type crashChild struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

func startCrashChild(t *testing.T, cfg CrashConfig, platformURL string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+cfg.Child+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashPlatform+"="+platformURL, envCrashStore+"="+cfg.Store)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &crashChild{cmd: cmd, done: make(chan error, 1)}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "PARLEY_CRASH_LISTEN "); ok {
			c.addr = addr
			break
		}
	}
	if c.addr == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("crash child did not start: %v\n%s", cmd.Wait(), stderr.String())
	}
	go func() {
		for lines.Scan() { // drain, so the child never blocks on stdout
		}
		c.done <- cmd.Wait()
	}()
	return c
}

func (c *crashChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-c.done
}

// CrashChild is the body of the child process of [Crash]: call it from
// the test function named in [CrashConfig.Child], with open returning a
// store that reaches the durable backend under test at where
// ([CrashConfig.Store]). Outside a crash run it skips. It serves webhooks
// until the process is killed.
func CrashChild(t *testing.T, open func(t *testing.T, where string) memory.Store) {
	if os.Getenv(envCrashChild) == "" {
		t.Skip("run by replicatest.Crash in a child process")
	}
	store := open(t, os.Getenv(envCrashStore))
	platform := os.Getenv(envCrashPlatform)
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(ctx context.Context, path string, v any) error {
		body, err := json.Marshal(v)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, platform+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("platform: %s", resp.Status)
		}
		return nil
	}
	nonce := crand.Text()[:8] // differs per process: a regenerated reply shows
	handler := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		s := tn.Session()
		n, _, err := crashCountKey.Get(s)
		if err != nil {
			return err
		}
		// The side effect (a refund at a payment API) carries an
		// idempotency key derived from the inbound message.
		if err := post(ctx, "/effect", crashEffect{Key: "refund-" + tn.ConversationID + "-" + tn.MessageID, Msg: tn.MessageID}); err != nil {
			return err
		}
		if err := crashCountKey.Set(s, n+1); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(fmt.Sprintf("ack %s (turn %d, %s)", tn.Text(), n+1, nonce)))
	})
	sender := parley.SenderFunc(func(ctx context.Context, to parley.Address, m parley.Message) error {
		return post(ctx, "/reply", crashReply{Conv: to.ConversationID, ID: m.ID, Text: m.Text})
	})
	bot := parley.NewBot(handler, parley.WithStore(store), parley.WithSender("crash", sender))
	if _, err := bot.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		var m crashMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		err := bot.Enqueue(r.Context(), &parley.Turn{ConversationID: m.Conv, Channel: "crash", MessageID: m.ID,
			Message: parley.Text(strconv.Itoa(m.Seq))})
		if err != nil && !errors.Is(err, parley.ErrDuplicate) {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	fmt.Printf("PARLEY_CRASH_LISTEN %s\n", ln.Addr())
	t.Fatal(http.Serve(ln, mux)) // until killed
}
