package extract_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb/extract"
	"github.com/parleyhq/parley/kb/kbtest"
)

// makePDF builds a one-page PDF whose content stream shows the lines,
// Flate-compressed if flate is set.
func makePDF(t testing.TB, flate bool, lines ...string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 12 Tf 72 720 Td\n")
	for i, l := range lines {
		if i%2 == 0 {
			fmt.Fprintf(&content, "(%s) Tj 0 -14 Td\n", strings.NewReplacer("(", `\(`, ")", `\)`).Replace(l))
		} else {
			fmt.Fprintf(&content, "[(%s) -250 (.)] TJ 0 -14 Td\n", l)
		}
	}
	content.WriteString("ET\n")
	data, filter := content.Bytes(), ""
	if flate {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		_, err := w.Write(data)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		data, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	b.WriteString("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
	b.WriteString("3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n")
	fmt.Fprintf(&b, "4 0 obj << /Length %d%s >>\nstream\n", len(data), filter)
	b.Write(data)
	b.WriteString("\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func makeDOCX(t testing.TB, body string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("word/document.xml")
	require.NoError(t, err)
	_, err = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	require.NoError(t, err)
	require.NoError(t, z.Close())
	return b.Bytes()
}

func TestIngestFormats(t *testing.T) {
	in := extract.NewIngester()
	docx := makeDOCX(t, `<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Returns</w:t></w:r></w:p>`+
		`<w:p><w:r><w:t xml:space="preserve">Send items back within </w:t></w:r><w:r><w:t>30 days.</w:t></w:r></w:p>`)
	tests := []struct {
		name      string
		give      extract.Source
		wantText  string
		wantTitle string
	}{
		{name: "text", give: extract.Source{Name: "notes.txt", Body: []byte("Opening hours are 9 to 5.")}, wantText: "Opening hours are 9 to 5.", wantTitle: "notes"},
		{name: "markdown", give: extract.Source{Name: "faq.md", Body: []byte("# Shipping\n\nWe ship **worldwide**, see [rates](http://x/rates).")}, wantText: "We ship worldwide, see rates.", wantTitle: "faq > Shipping"},
		{name: "html", give: extract.Source{Name: "page.html", Body: []byte(`<html><head><title>Help &amp; FAQ</title><script>var a = "<p>evil</p>";</script></head><body><style>p{}</style><h2>Refunds</h2><p>Money back in 5&nbsp;days.</p><script>alert(1)</script></body></html>`)}, wantText: "Money back in 5 days.", wantTitle: "Help & FAQ > Refunds"},
		{name: "pdf", give: extract.Source{Name: "policy.pdf", Body: makePDF(t, false, "Warranty lasts (two) years", "Keep the receipt")}, wantText: "Warranty lasts (two) years Keep the receipt.", wantTitle: "policy"},
		{name: "pdf flate", give: extract.Source{Name: "policy2.pdf", Body: makePDF(t, true, "Compressed text works")}, wantText: "Compressed text works", wantTitle: "policy2"},
		{name: "docx", give: extract.Source{Name: "returns.docx", Body: docx}, wantText: "Send items back within 30 days.", wantTitle: "returns > Returns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := in.Ingest(context.Background(), tt.give)
			require.NoError(t, err)
			require.Len(t, docs, 1)
			assert.Equal(t, tt.wantText, docs[0].Text)
			assert.Equal(t, tt.wantTitle, docs[0].Title)
			assert.Equal(t, tt.give.Name, docs[0].Source)
			assert.Equal(t, tt.give.Name+"#0", docs[0].ID)
		})
	}
}

func TestIngestChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Guide\n\n")
	for i := range 10 {
		fmt.Fprintf(&b, "Paragraph %d %s\n\n", i, strings.Repeat("word ", 18))
	}
	b.WriteString("## Second\n\nShort tail.\n")
	in := extract.NewIngester(extract.WithChunkSize(50, 10))
	docs, err := in.Ingest(context.Background(), extract.Source{Name: "guide.md", URL: "https://example.com/guide", Body: []byte(b.String())})
	require.NoError(t, err)
	require.Greater(t, len(docs), 3)
	for i, d := range docs {
		assert.Equal(t, i, d.Position)
		assert.Equal(t, "https://example.com/guide", d.URL)
		assert.LessOrEqual(t, len(strings.Fields(d.Text)), 50)
	}
	// Overlap: each chunk after the first in a section starts with the
	// previous chunk's last words.
	prev := strings.Fields(docs[0].Text)
	assert.True(t, strings.HasPrefix(docs[1].Text, strings.Join(prev[len(prev)-10:], " ")))
	last := docs[len(docs)-1]
	assert.Equal(t, "guide > Guide > Second", last.Title)
	assert.Equal(t, "Short tail.", last.Text)
}

func TestIngestBadDocumentsDoNotBlockOthers(t *testing.T) {
	in := extract.NewIngester(extract.WithMaxBytes(50 << 20))
	huge := bytes.Repeat([]byte("a"), 50<<20+1)
	docs, err := in.Ingest(context.Background(),
		extract.Source{Name: "broken.pdf", Body: []byte("%PDF-1.4\n1 0 obj << /Length 10 /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream\n")},
		extract.Source{Name: "garbage.pdf", Body: []byte("this is not a pdf")},
		extract.Source{Name: "huge.txt", Body: huge},
		extract.Source{Name: "scripts.html", Body: []byte("<script>" + strings.Repeat("x();", 1000) + "</script><style>a{}</style>")},
		extract.Source{Name: "bad.docx", Body: []byte("PK\x03\x04 truncated")},
		extract.Source{Name: "latin1.txt", Format: extract.FormatText, Body: []byte{0xff, 0xfe, 'a'}},
		extract.Source{Name: "image.gif", Format: "gif", Body: []byte("GIF89a")},
		extract.Source{Name: "good.txt", Body: []byte("Still indexed.")},
	)
	require.Len(t, docs, 1)
	assert.Equal(t, "good.txt", docs[0].Source)

	tests := []struct {
		name string
		want error
	}{
		{name: "broken.pdf", want: extract.ErrMalformed},
		{name: "garbage.pdf", want: extract.ErrMalformed},
		{name: "huge.txt", want: extract.ErrTooLarge},
		{name: "scripts.html", want: extract.ErrMalformed},
		{name: "bad.docx", want: extract.ErrMalformed},
		{name: "latin1.txt", want: extract.ErrMalformed},
		{name: "image.gif", want: extract.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, err.Error(), tt.name)
			found := false
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var de *extract.DocumentError
				if errors.As(e, &de) && de.Name == tt.name {
					found = true
					assert.ErrorIs(t, de, tt.want)
				}
			}
			assert.True(t, found, "no DocumentError for %s", tt.name)
		})
	}
}

func TestFetch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<title>Store hours</title><p>Open 9 to 5.</p>")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", 2048))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers only when the ingester gives up
	})
	mux.HandleFunc("/missing", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A timeout long enough for any machine: how fast the fast pages come
	// back must not decide the test.
	in := extract.NewIngester(extract.WithHTTPClient(srv.Client()), extract.WithMaxBytes(1024), extract.WithFetchTimeout(time.Minute))
	docs, err := in.IngestURLs(context.Background(), srv.URL+"/page.html", srv.URL+"/big", srv.URL+"/missing")
	require.Len(t, docs, 1)
	assert.Equal(t, "Store hours", docs[0].Title)
	assert.Equal(t, srv.URL+"/page.html", docs[0].URL)
	require.ErrorIs(t, err, extract.ErrTooLarge)
	assert.Contains(t, err.Error(), "/missing")

	// A page that never answers ends at the fetch timeout, however short.
	in = extract.NewIngester(extract.WithHTTPClient(srv.Client()), extract.WithFetchTimeout(10*time.Millisecond))
	docs, err = in.IngestURLs(context.Background(), srv.URL+"/slow")
	assert.Empty(t, docs)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<script>x", "<!-- x", "<a href='>'>b</a>", "<head><title>t", "&amp;&#x41;<"} {
		f.Add([]byte(s))
	}
	in := extract.NewIngester()
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, err := in.Ingest(context.Background(), extract.Source{Name: "f.html", Format: extract.FormatHTML, Body: b})
		if err == nil && len(docs) == 0 {
			t.Fatal("no error and no docs")
		}
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(makePDF(f, false, "hello"))
	f.Add(makePDF(f, true, "hello", "world"))
	f.Add([]byte("%PDF-1.4 stream\n(a) Tj endstream"))
	fuzzDocumentErrors(f, extract.Source{Name: "f.pdf", Format: extract.FormatPDF})
}

func FuzzDOCX(f *testing.F) {
	f.Add(makeDOCX(f, `<w:p><w:r><w:t>hi</w:t></w:r></w:p>`))
	f.Add([]byte("PK\x03\x04"))
	fuzzDocumentErrors(f, extract.Source{Name: "f.docx", Format: extract.FormatDOCX})
}

// fuzzDocumentErrors fuzzes the body of src: whatever it holds, ingesting
// it fails, if at all, with a *DocumentError.
func fuzzDocumentErrors(f *testing.F, src extract.Source) {
	in := extract.NewIngester(extract.WithMaxBytes(1 << 20))
	f.Fuzz(func(t *testing.T, b []byte) {
		src := src
		src.Body = b
		_, err := in.Ingest(context.Background(), src)
		var de *extract.DocumentError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error is not a DocumentError: %v", err)
		}
	})
}

func TestIngestDuplicateNames(t *testing.T) {
	in := extract.NewIngester()
	docs, err := in.Ingest(context.Background(),
		extract.Source{Name: "faq.md", Body: []byte("Refunds are paid within 5 days.")},
		extract.Source{Name: "other.md", Body: []byte("Parcels arrive in 2 days.")},
		extract.Source{Name: "faq.md", Body: []byte("We are open 9 to 5.")},
	)
	var de *extract.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "faq.md", de.Name)
	require.ErrorIs(t, err, extract.ErrDuplicate)
	var got []string
	for _, d := range docs {
		got = append(got, d.ID+" "+d.Text)
	}
	assert.Equal(t, []string{"faq.md#0 Refunds are paid within 5 days.", "other.md#0 Parcels arrive in 2 days."}, got,
		"the first faq.md is kept, the second reported, nothing replaced")

	// Added to an index, every ingested passage stays findable.
	x := kbtest.NewIndex(t, docs)
	assert.Equal(t, len(docs), x.Len())
}

func TestIngestURLsSameFileName(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/shop/faq", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Refunds are paid within 5 days.") })
	mux.HandleFunc("/travel/faq", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Bookings can be moved once.") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	in := extract.NewIngester(extract.WithHTTPClient(srv.Client()))
	docs, err := in.IngestURLs(context.Background(), srv.URL+"/shop/faq", srv.URL+"/travel/faq", srv.URL+"/shop/faq")
	require.ErrorIs(t, err, extract.ErrDuplicate, "the same URL twice is reported")
	require.Len(t, docs, 2)
	assert.NotEqual(t, docs[0].ID, docs[1].ID)
	assert.Equal(t, "faq", docs[0].Title)
	assert.Equal(t, "Bookings can be moved once.", docs[1].Text)
	assert.Equal(t, 2, kbtest.NewIndex(t, docs).Len())
}

func TestReadFAQDuplicateIDs(t *testing.T) {
	_, err := extract.ReadFAQ(strings.NewReader(`[{"id":"r","question":"Refund?","answer":"Yes."},{"id":"r","question":"Hours?","answer":"9-5"}]`), "faq.json")
	var de *extract.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "faq.json", de.Name)
	require.ErrorIs(t, err, extract.ErrDuplicate)
	assert.Contains(t, err.Error(), `"r"`)
}
