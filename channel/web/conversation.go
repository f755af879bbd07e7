package web

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A client is one open connection (a WebSocket or an event stream) of a
// conversation. Frames are queued on out and written by the connection's
// own goroutine, so a slow browser never blocks the bot; a client whose
// queue is full is disconnected and catches up from the history when it
// reconnects.
type client struct {
	out  chan []byte
	done chan struct{}
	once sync.Once
}

const clientQueue = 64

func newClient() *client {
	return &client{out: make(chan []byte, clientQueue), done: make(chan struct{})}
}

func (c *client) send(b []byte) {
	select {
	case <-c.done:
		return
	default:
	}
	select {
	case c.out <- b:
	default:
		c.close()
	}
}

func (c *client) close() { c.once.Do(func() { close(c.done) }) }

// An upload is a file kept for a conversation and served by signed link.
type upload struct {
	name string
	mime string
	data []byte
}

// Per-conversation bounds that are not configurable.
const (
	seenWindow     = 256
	maxFiles       = 32
	maxConnections = 16
	maxHeld        = 50
	eventRate      = 1 // page events a second per conversation, sustained
	eventBurst     = 20
	signalWindow   = 24 * time.Hour
	maxSignalKeys  = 64
	maxSignalTimes = 64
)

// A conversation is the handler's state for one visitor conversation.
type conversation struct {
	id      string
	limiter *rate.Limiter // the visitor's messages and uploads
	events  *rate.Limiter // the page's events and the consent answer
	// storeMu serialises this process's writes of the conversation's
	// record in Config.Store.
	storeMu sync.Mutex

	mu         sync.Mutex
	consent    string
	owner      string // the linked customer the transcript was kept for
	transcript []entry
	seen       []string // frame IDs echoed to the visitor
	sent       []string // IDs of bot messages delivered
	held       [][]byte // message frames waiting for a connection
	handled    []string // frame IDs handed to the bot
	read       []string // inbound message IDs shown read
	clients    map[*client]struct{}
	files      map[string]*upload
	fileOrder  []string
	fileBytes  int64
	signals    map[string][]time.Time
	active     time.Time
}

func newConversation(id string, cfg *Config, now time.Time) *conversation {
	return &conversation{
		id:      id,
		limiter: rate.NewLimiter(cfg.RateLimit, cfg.RateBurst),
		events:  rate.NewLimiter(eventRate, eventBurst),
		consent: consentUnknown,
		clients: make(map[*client]struct{}),
		files:   make(map[string]*upload),
		signals: make(map[string][]time.Time),
		active:  now,
	}
}

// addClient registers c; it reports false when the conversation already
// has too many connections.
func (cv *conversation) addClient(c *client, now time.Time) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if len(cv.clients) >= maxConnections {
		return false
	}
	cv.clients[c] = struct{}{}
	cv.active = now
	for _, b := range cv.held {
		c.send(b)
	}
	cv.held = nil
	return true
}

func (cv *conversation) removeClient(c *client, now time.Time) {
	cv.mu.Lock()
	delete(cv.clients, c)
	cv.active = now
	cv.mu.Unlock()
}

func (cv *conversation) connected() int {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return len(cv.clients)
}

func (cv *conversation) broadcast(b []byte) {
	cv.mu.Lock()
	for c := range cv.clients {
		c.send(b)
	}
	cv.mu.Unlock()
}

// broadcastOrHold sends a message frame to every open connection, or,
// when there is none, holds it (the last maxHeld) for the next one. It
// reports whether the frame was sent.
func (cv *conversation) broadcastOrHold(b []byte) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if len(cv.clients) == 0 {
		cv.held = append(cv.held, b)
		if over := len(cv.held) - maxHeld; over > 0 {
			cv.held = slices.Delete(cv.held, 0, over)
		}
		return false
	}
	for c := range cv.clients {
		c.send(b)
	}
	return true
}

// markSent records the ID of a bot message delivered to the conversation
// and reports whether it is new.
func (cv *conversation) markSent(id string) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return addRecent(&cv.sent, id)
}

func (cv *conversation) closeClients() {
	cv.mu.Lock()
	for c := range cv.clients {
		c.close()
	}
	cv.mu.Unlock()
}

// record appends e to the transcript if the visitor consented; a
// transcript kept for another linked customer starts afresh (relink).
func (cv *conversation) record(e entry, customer string, limit int, now time.Time) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.active = now
	if cv.consent != consentGranted {
		return
	}
	relink(&cv.owner, &cv.transcript, customer)
	markReadEntries(cv.transcript, cv.read)
	cv.transcript = append(cv.transcript, e)
	if over := len(cv.transcript) - limit; over > 0 {
		cv.transcript = slices.Delete(cv.transcript, 0, over)
	}
}

// keepRead records in the transcript kept in memory that the visitor's
// message id shows as read.
func (cv *conversation) keepRead(id string) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	markReadEntries(cv.transcript, []string{id})
}

// readIDs returns the visitor's messages this process showed as read.
func (cv *conversation) readIDs() []string {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return slices.Clone(cv.read)
}

// markReadEntries marks the visitor's entries whose IDs are in ids as
// read and reports whether one changed.
func markReadEntries(es []entry, ids []string) bool {
	changed := false
	for i := range es {
		if es[i].Role == roleUser && !es[i].Read && slices.Contains(ids, es[i].ID) {
			es[i].Read = true
			changed = true
		}
	}
	return changed
}

// touch records activity.
func (cv *conversation) touch(now time.Time) {
	cv.mu.Lock()
	cv.active = now
	cv.mu.Unlock()
}

// markSeen records an inbound frame ID as echoed and reports whether it
// is new.
func (cv *conversation) markSeen(id string) bool { return cv.remember(&cv.seen, id) }

// markRead records that the visitor's message id shows as read and
// reports whether it is new.
func (cv *conversation) markRead(id string) bool { return cv.remember(&cv.read, id) }

// engage marks the visitor's message inbound read, once, if it is one this
// process echoed: the bot engaged with it (typing or a reply).
func (cv *conversation) engage(inbound string) {
	cv.mu.Lock()
	ok := inbound != "" && slices.Contains(cv.seen, inbound) && addRecent(&cv.read, inbound)
	cv.mu.Unlock()
	if ok {
		cv.broadcast(encode(outFrame{Type: "read", ID: inbound}))
	}
}

// claim records that an inbound frame ID goes to the bot and reports
// whether it is new; release undoes it when the turn could not run, so
// that a resend is handled.
func (cv *conversation) claim(id string) bool { return cv.remember(&cv.handled, id) }

func (cv *conversation) release(id string) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if i := slices.Index(cv.handled, id); i >= 0 {
		cv.handled = slices.Delete(cv.handled, i, i+1)
	}
}

// remember adds id to ids, one of cv's windows of recent IDs, under cv's
// lock, and reports whether it was new.
func (cv *conversation) remember(ids *[]string, id string) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return addRecent(ids, id)
}

// addRecent adds id to a bounded window of recent IDs and reports whether
// it was new.
func addRecent(ids *[]string, id string) bool {
	if slices.Contains(*ids, id) {
		return false
	}
	*ids = append(*ids, id)
	if len(*ids) > seenWindow {
		*ids = slices.Delete(*ids, 0, len(*ids)-seenWindow)
	}
	return true
}

func (cv *conversation) setConsent(granted bool) string {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if granted {
		cv.consent = consentGranted
	} else {
		cv.consent = consentDeclined
		cv.transcript = nil
	}
	return cv.consent
}

// state returns the consent state and, if granted, a copy of the
// transcript.
func (cv *conversation) state() (string, []entry) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.consent != consentGranted {
		return cv.consent, nil
	}
	return cv.consent, slices.Clone(cv.transcript)
}

// countSignal records a behavioural event under key and returns how many
// such events happened in the last 24 hours, this one included.
func (cv *conversation) countSignal(key string, now time.Time) int {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.active = now
	ts := cv.signals[key]
	cut := now.Add(-signalWindow)
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = append(ts[i:], now)
	if len(ts) > maxSignalTimes {
		ts = ts[len(ts)-maxSignalTimes:]
	}
	if _, ok := cv.signals[key]; !ok && len(cv.signals) >= maxSignalKeys {
		// Forget the key with the oldest last event to stay bounded.
		var oldest string
		var at time.Time
		for k, v := range cv.signals {
			if last := v[len(v)-1]; oldest == "" || last.Before(at) {
				oldest, at = k, last
			}
		}
		delete(cv.signals, oldest)
	}
	cv.signals[key] = ts
	return len(ts)
}

// addFile keeps an upload, evicting the oldest files beyond the bounds.
// It returns the bytes and the number of files evicted.
func (cv *conversation) addFile(id string, f *upload, maxBytes int64) (freed int64, n int) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.files[id] = f
	cv.fileOrder = append(cv.fileOrder, id)
	cv.fileBytes += int64(len(f.data))
	for len(cv.fileOrder) > 1 && (len(cv.fileOrder) > maxFiles || cv.fileBytes > maxBytes) {
		old := cv.fileOrder[0]
		cv.fileOrder = cv.fileOrder[1:]
		size := int64(len(cv.files[old].data))
		cv.fileBytes -= size
		freed += size
		n++
		delete(cv.files, old)
	}
	return freed, n
}

// dropFile forgets file id, if kept, and returns its size.
func (cv *conversation) dropFile(id string) (int64, bool) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	f, ok := cv.files[id]
	if !ok {
		return 0, false
	}
	delete(cv.files, id)
	cv.fileOrder = slices.DeleteFunc(cv.fileOrder, func(s string) bool { return s == id })
	size := int64(len(f.data))
	cv.fileBytes -= size
	return size, true
}

// dropFiles forgets every kept file and returns their bytes and number.
func (cv *conversation) dropFiles() (int64, int) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	freed, n := cv.fileBytes, len(cv.files)
	cv.files, cv.fileOrder, cv.fileBytes = make(map[string]*upload), nil, 0
	return freed, n
}

func (cv *conversation) hasFile(id string) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	_, ok := cv.files[id]
	return ok
}

func (cv *conversation) file(id string) (*upload, bool) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	f, ok := cv.files[id]
	return f, ok
}

// idle reports whether the conversation has no connection and no activity
// since before cut.
func (cv *conversation) idle(cut time.Time) bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return len(cv.clients) == 0 && cv.active.Before(cut)
}
