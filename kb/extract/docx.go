package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// docxText extracts the paragraphs of a Word document's main part;
// paragraphs styled as headings become "# " lines. limit bounds the
// uncompressed size read.
func docxText(b []byte, limit int64) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("%w: not a DOCX archive: %v", ErrMalformed, err)
	}
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			part = f
			break
		}
	}
	if part == nil {
		return "", fmt.Errorf("%w: no word/document.xml", ErrMalformed)
	}
	rc, err := part.Open()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: limit + 1}
	dec := xml.NewDecoder(lr)
	var out, para strings.Builder
	heading := 0
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return "", fmt.Errorf("%w: document.xml over %d bytes", ErrTooLarge, limit)
			}
			return "", fmt.Errorf("%w: document.xml: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte(' ')
			case "pStyle":
				for _, a := range t.Attr {
					if a.Name.Local == "val" {
						heading = headingStyle(a.Value)
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if p := strings.TrimSpace(para.String()); p != "" {
					if heading > 0 {
						out.WriteString(strings.Repeat("#", heading) + " ")
					}
					out.WriteString(p)
					out.WriteString("\n\n")
				}
				para.Reset()
				heading = 0
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return out.String(), nil
}

// headingStyle maps "Heading1".."Heading6" and "Title" to a level.
func headingStyle(v string) int {
	v = strings.ToLower(v)
	if v == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(v, "heading"); ok && len(rest) == 1 && rest[0] >= '1' && rest[0] <= '6' {
		return int(rest[0] - '0')
	}
	return 0
}
