package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
)

// multipartSlack is room for the multipart framing and the small fields
// around the file.
const multipartSlack = 16 << 10

// serveUpload accepts a multipart form with an "id" field (the client's
// message ID), an optional "text" caption and one "file". The file's type
// is judged from its content; it must be one of Config.UploadTypes and at
// most Config.MaxUploadBytes. The file becomes a message with one
// attachment (Kind image or file, the bytes in Data and a signed link in
// URL, relative to the handler), passed to the bot like a typed message.
func (h *Chat) serveUpload(w http.ResponseWriter, r *http.Request) {
	cv, ok := h.admit(w, r)
	if !ok {
		return
	}
	defer h.wg.Done()
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUploadBytes+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		h.fail(w, r, cv.id, reject(errBadFrame, "expected a multipart/form-data body"))
		return
	}
	var id, text string
	var f *upload
	var reserved int64 // bytes of the quota held for this upload
	defer func() { h.files.release(reserved) }()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			h.fail(w, r, cv.id, uploadReadErr(err))
			return
		}
		switch p.FormName() {
		case "id", "text":
			b, err := io.ReadAll(io.LimitReader(p, int64(h.cfg.MaxMessageBytes)+1))
			if err != nil {
				h.fail(w, r, cv.id, uploadReadErr(err))
				return
			}
			if len(b) > h.cfg.MaxMessageBytes || !utf8.Valid(b) {
				h.fail(w, r, cv.id, reject(errTooLarge, p.FormName()+" field too long or not UTF-8"))
				return
			}
			if p.FormName() == "id" {
				id = string(b)
			} else {
				text = string(b)
			}
		case "file":
			if f != nil {
				h.fail(w, r, cv.id, reject(errBadFrame, "one file per upload"))
				return
			}
			// Room for the largest file is taken from the quota before
			// reading, so that uploads being read count too.
			if reserved == 0 {
				if !h.files.reserve(h.cfg.MaxUploadBytes) {
					h.fail(w, r, cv.id, reject(errRateLimited, "too many uploads at once; try again in a moment"))
					return
				}
				reserved = h.cfg.MaxUploadBytes
			}
			var rerr *rejectError
			f, rerr = h.readFile(p)
			if rerr != nil {
				rerr.MessageID = printableID(id)
				h.fail(w, r, cv.id, rerr)
				return
			}
		default:
			h.fail(w, r, cv.id, reject(errBadFrame, fmt.Sprintf("unexpected form field %q", shorten(p.FormName()))))
			return
		}
	}
	if err := checkID(id); err != nil {
		h.fail(w, r, cv.id, err)
		return
	}
	if f == nil {
		h.fail(w, r, cv.id, reject(errBadFrame, "no file in the upload"))
		return
	}
	if !cv.limiter.AllowN(time.Now(), 1) {
		e := reject(errRateLimited, "too many messages; wait a moment")
		e.MessageID = id
		h.fail(w, r, cv.id, e)
		return
	}
	if !h.allowFrame(r.Context()) {
		e := reject(errRateLimited, "too many messages from this address; wait a moment")
		e.MessageID = id
		h.fail(w, r, cv.id, e)
		return
	}
	fileID := uuid.NewString()
	h.files.keep(cv, fileID, f, 8*h.cfg.MaxUploadBytes, reserved)
	reserved = 0
	kind := parley.File
	if strings.HasPrefix(f.mime, "image/") {
		kind = parley.Image
	}
	att := parley.Attachment{Kind: kind, MIMEType: f.mime, URL: h.fileURL(cv.id, fileID), Name: f.name}
	m := parley.Message{ID: id, Text: text, Attachments: []parley.Attachment{att}}
	// The bot gets the bytes; the transcript and the echo only the link.
	if err := h.userMessageData(r.Context(), cv, id, m, f.data); err != nil {
		var re *rejectError
		if !errors.As(err, &re) {
			re = &rejectError{Code: codeInternal, err: err}
		}
		writeError(w, re)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": att.URL, "kind": kind, "mime_type": f.mime})
}

// readFile reads the file part within the size limit and checks its type.
func (h *Chat) readFile(p *multipart.Part) (*upload, *rejectError) {
	b, err := io.ReadAll(io.LimitReader(p, h.cfg.MaxUploadBytes+1))
	if err != nil {
		return nil, uploadReadErr(err)
	}
	if int64(len(b)) > h.cfg.MaxUploadBytes {
		return nil, reject(errTooLarge, fmt.Sprintf("file over the limit of %d bytes", h.cfg.MaxUploadBytes))
	}
	if len(b) == 0 {
		return nil, reject(errBadFrame, "empty file")
	}
	mt, _, err := mime.ParseMediaType(http.DetectContentType(b))
	if err != nil || !slices.Contains(h.cfg.UploadTypes, mt) {
		return nil, reject(errUploadType, fmt.Sprintf("files of type %s are not accepted", mt))
	}
	name := path.Base(strings.ReplaceAll(p.FileName(), "\\", "/"))
	if name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 255 {
		name = "upload"
	}
	return &upload{name: name, mime: mt, data: bytes.Clone(b)}, nil
}

func uploadReadErr(err error) *rejectError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return reject(errTooLarge, "upload over the size limit")
	}
	return reject(errBadFrame, "malformed multipart body: "+shorten(err.Error()))
}

// serveFile serves a kept file to whoever holds its signed link. Files are
// never rendered as a page of the handler's origin: the response is
// sandboxed, and anything but an image is a download.
func (h *Chat) serveFile(w http.ResponseWriter, r *http.Request) {
	conv, id := r.PathValue("conv"), r.PathValue("file")
	if !checkFileSig(h.cfg.Secret, conv, id, r.URL.Query().Get("sig")) {
		h.fail(w, r, "", reject(errInvalidToken, "bad file link signature"))
		return
	}
	cv := h.lookup(conv, false)
	var f *upload
	ok := false
	if cv != nil {
		f, ok = cv.file(id)
	}
	if !ok {
		http.Error(w, "web: file not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	disp := "attachment"
	if strings.HasPrefix(f.mime, "image/") {
		disp = "inline"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": f.name}))
	if _, err := w.Write(f.data); err != nil {
		return
	}
}
