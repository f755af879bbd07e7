package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uploadFile posts one text file of size bytes as message id and returns
// the status and the file's link.
func (e *env) uploadFile(token, id string, size int) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(e.t, mw.WriteField("id", id))
	fw, err := mw.CreateFormFile("file", id+".txt")
	require.NoError(e.t, err)
	_, err = fw.Write(bytes.Repeat([]byte("a"), size))
	require.NoError(e.t, err)
	require.NoError(e.t, mw.Close())
	req, err := http.NewRequest("POST", e.srv.URL+"/upload", &body)
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out struct {
		URL string `json:"url"`
	}
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	if resp.StatusCode == http.StatusOK {
		require.NoError(e.t, json.Unmarshal(b, &out), string(b))
	}
	return resp.StatusCode, out.URL
}

func (e *env) getStatus(path string) int {
	e.t.Helper()
	resp, err := e.srv.Client().Get(e.srv.URL + "/" + path)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode
}

// TestUploadQuota is issue 15's 160 uploads of 5 MiB from anonymous
// chats (the server grew from 44 MB to 1.26 GB for 24 hours), scaled
// down: 160 uploads of 16 KiB from 160 new conversations keep at most the
// 256 KiB quota; the newest files stay reachable, the oldest links answer
// 404, and every upload still reached the bot.
func TestUploadQuota(t *testing.T) {
	const size, quota = 16 << 10, 256 << 10
	e := newEnv(t, func(c *Config) {
		c.MaxUploadBytes, c.UploadQuota = size, quota
		c.IPConversationBurst, c.IPRateBurst = 1000, 1000
	})
	var links []string
	for i := range 160 {
		code, link := e.uploadFile(e.session("").Token, fmt.Sprintf("up%d", i), size)
		require.Equal(t, http.StatusOK, code, "upload %d", i)
		links = append(links, link)
		used, _ := e.h.files.usage()
		require.LessOrEqual(t, used, int64(quota), "after upload %d", i)
	}
	used, n := e.h.files.usage()
	assert.Equal(t, int64(quota), used)
	assert.Equal(t, quota/size, n)
	assert.Equal(t, http.StatusOK, e.getStatus(links[159]))
	assert.Equal(t, http.StatusOK, e.getStatus(links[160-quota/size]))
	assert.Equal(t, http.StatusNotFound, e.getStatus(links[0]))
	assert.Equal(t, http.StatusNotFound, e.getStatus(links[159-quota/size]))
	// The bot runs enqueued turns after the upload is acknowledged.
	assert.Eventually(t, func() bool { return len(e.rec.Turns()) == 160 }, 10*time.Second, 5*time.Millisecond,
		"every upload reached the bot")
}

func TestFileStoreReservations(t *testing.T) {
	s := &fileStore{quota: 100}
	cv := newConversation("c", &Config{RateLimit: 1, RateBurst: 1}, time.Now())
	require.True(t, s.reserve(60))
	assert.False(t, s.reserve(60), "the quota is held by an upload being read and nothing kept can make room")
	s.keep(cv, "f1", &upload{data: make([]byte, 30)}, 1000, 60)
	used, n := s.usage()
	assert.Equal(t, int64(30), used, "the reservation is replaced by the file's size")
	assert.Equal(t, 1, n)
	require.True(t, s.reserve(80), "the kept file is forgotten to make room")
	_, ok := cv.file("f1")
	assert.False(t, ok)
	s.release(80)
	used, n = s.usage()
	assert.Equal(t, int64(0), used)
	assert.Equal(t, 0, n)

	// Files a conversation evicts itself, and a forgotten conversation's
	// files, give their bytes back.
	for i := range 40 {
		s.keep(cv, fmt.Sprint(i), &upload{data: make([]byte, 2)}, 1000, 0)
	}
	used, n = s.usage()
	assert.Equal(t, int64(2*maxFiles), used)
	assert.Equal(t, maxFiles, n)
	s.forget(cv)
	used, n = s.usage()
	assert.Equal(t, int64(0), used)
	assert.Equal(t, 0, n)
}

// TestPerAddressLimits: one address cannot mint conversations without
// bound, nor multiply the per-conversation rate by opening many; another
// address is not affected.
func TestPerAddressLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.IPConversationBurst, c.IPConversationRate = 3, 0.001
		c.IPRateBurst, c.IPRateLimit = 5, 0.001
		c.ClientIP = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
	})
	newConv := func(ip string) (int, string) {
		return e.post("/session", "", "", nil, map[string]string{"X-Test-Client": ip})
	}
	for range 3 {
		code, _ := newConv("198.51.100.7")
		require.Equal(t, http.StatusOK, code)
	}
	code, errCode := newConv("198.51.100.7")
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, codeRateLimited, errCode)
	code, _ = newConv("203.0.113.9")
	assert.Equal(t, http.StatusOK, code, "another address still gets a conversation")

	tokA, tokB := e.session("").Token, e.session("").Token // both with no X-Test-Client: address ""
	send := func(tok, id, ip string) (int, string) {
		return e.post("/send", tok, "application/json", strings.NewReader(`{"type":"message","id":"`+id+`","text":"hi"}`),
			map[string]string{"X-Test-Client": ip})
	}
	for i := range 5 {
		tok := tokA
		if i%2 == 1 {
			tok = tokB
		}
		code, _ := send(tok, fmt.Sprintf("m%d", i), "192.0.2.1")
		require.Equal(t, http.StatusOK, code, "message %d", i)
	}
	code, errCode = send(tokB, "m5", "192.0.2.1")
	assert.Equal(t, http.StatusTooManyRequests, code, "the address's sixth message, whatever the conversation")
	assert.Equal(t, codeRateLimited, errCode)
	code, _ = send(tokB, "m6", "192.0.2.2")
	assert.Equal(t, http.StatusOK, code, "another address is not affected")
}

// TestRateLimitFitsPeople: with the default limits, a visitor who types a
// burst of short messages after the page sent its events ("hi", "I need
// help", "my order", "A-1001"...) is never refused, while a script that
// keeps sending is held to one message a second after its first dozen.
func TestRateLimitFitsPeople(t *testing.T) {
	// In a synctest bubble: time moves with time.Sleep, at once.
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit, c.RateBurst = 0, 0 }) // the defaults
		tok := e.session("").Token
		send := func(frame string) int {
			code, _ := e.post("/send", tok, "application/json", strings.NewReader(frame), nil)
			return code
		}
		// The page's own events (the demo page sends two on load).
		for i, name := range []string{"page_view", "product_view", "page_view"} {
			assert.Equal(t, http.StatusOK, send(fmt.Sprintf(`{"type":"track","id":"ev%d","name":%q}`, i, name)), name)
		}
		person := []string{"hi", "I need help", "my order", "A-1001", "it never came", "the lamp", "hello?", "are you there",
			"sorry", "A-1002 too", "thanks", "ok"}
		for i, text := range person {
			assert.Equal(t, http.StatusOK, send(fmt.Sprintf(`{"type":"message","id":"p%d","text":%q}`, i, text)), text)
		}

		// A flood: the 13th message at once is refused, and then one a second
		// gets through, whatever the sender tries in between.
		assert.Equal(t, http.StatusTooManyRequests, send(`{"type":"message","id":"f0","text":"spam"}`))
		accepted := 0
		for i := range 40 {
			time.Sleep(250 * time.Millisecond)
			if send(fmt.Sprintf(`{"type":"message","id":"f%d","text":"spam"}`, i+1)) == http.StatusOK {
				accepted++
			}
		}
		assert.Equal(t, 10, accepted, "40 messages in 10 seconds: 10 accepted")
	})
}
