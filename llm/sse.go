package llm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
)

// An sseEvent is one Server-Sent Event.
type sseEvent struct {
	Event string
	Data  string
}

// maxSSELine bounds one SSE line, so a misbehaving server cannot make us
// buffer without limit.
const maxSSELine = 4 << 20

// readSSE decodes a text/event-stream body: "event:" and "data:" fields
// (several data lines joined by newlines), comments ignored, an event
// dispatched at each blank line.
func readSSE(r io.Reader) iter.Seq2[sseEvent, error] {
	return func(yield func(sseEvent, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var ev sseEvent
		var data bytes.Buffer
		hasData := false
		for {
			line, err := readLine(br)
			if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
				if errors.Is(err, io.EOF) {
					if hasData {
						ev.Data = data.String()
						yield(ev, nil)
					}
					return
				}
				yield(sseEvent{}, err)
				return
			}
			if len(line) == 0 {
				if hasData {
					ev.Data = data.String()
					if !yield(ev, nil) {
						return
					}
				}
				ev, hasData = sseEvent{}, false
				data.Reset()
				if errors.Is(err, io.EOF) {
					return
				}
				continue
			}
			if line[0] == ':' {
				continue
			}
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(field) {
			case "event":
				ev.Event = string(value)
			case "data":
				if hasData {
					data.WriteByte('\n')
				}
				data.Write(value)
				hasData = true
			}
			if errors.Is(err, io.EOF) {
				if hasData {
					ev.Data = data.String()
					yield(ev, nil)
				}
				return
			}
		}
	}
}

// readLine reads a line without its CR, LF or CRLF ending.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		line = append(line, chunk...)
		if len(line) > maxSSELine {
			return nil, fmt.Errorf("%w: SSE line over %d bytes", ErrBadResponse, maxSSELine)
		}
		if err != nil {
			return line, err
		}
		if !isPrefix {
			return line, nil
		}
	}
}
