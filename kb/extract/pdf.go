package extract

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
)

// pdfText extracts the text shown by the content streams of a PDF,
// uncompressed or Flate-compressed. It is a minimal extractor: it reads
// the string operands of the text operators (Tj, TJ, ', ") in simple
// encodings, which covers PDFs written by most office software; fonts
// with custom encodings give no text, and such a PDF is reported as
// malformed rather than misread. limit bounds the decompressed bytes.
func pdfText(b []byte, limit int64) (string, error) {
	head := b[:min(len(b), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return "", fmt.Errorf("%w: no %%PDF header", ErrMalformed)
	}
	var out strings.Builder
	budget := limit
	rest := b
	for {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			break
		}
		// Skip "endstream".
		if i >= 3 && string(rest[i-3:i]) == "end" {
			rest = rest[i+6:]
			continue
		}
		dictStart := bytes.LastIndex(rest[:i], []byte("obj"))
		dict := rest[max(0, dictStart):i]
		data := rest[i+6:]
		switch {
		case bytes.HasPrefix(data, []byte("\r\n")):
			data = data[2:]
		case bytes.HasPrefix(data, []byte("\n")), bytes.HasPrefix(data, []byte("\r")):
			data = data[1:]
		}
		end := bytes.Index(data, []byte("endstream"))
		if end < 0 {
			return "", fmt.Errorf("%w: stream without endstream", ErrMalformed)
		}
		rest = data[end+9:]
		data = data[:end]
		if !isContentStream(dict) {
			continue
		}
		if bytes.Contains(dict, []byte("/FlateDecode")) || bytes.Contains(dict, []byte("/Fl ")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return "", fmt.Errorf("%w: flate stream: %v", ErrMalformed, err)
			}
			dec, err := io.ReadAll(io.LimitReader(zr, budget+1))
			if err != nil && len(dec) == 0 {
				return "", fmt.Errorf("%w: flate stream: %v", ErrMalformed, err)
			}
			if int64(len(dec)) > budget {
				return "", fmt.Errorf("%w: decompressed streams over %d bytes", ErrTooLarge, limit)
			}
			budget -= int64(len(dec))
			data = dec
		} else if bytes.Contains(dict, []byte("/Filter")) {
			continue // images and other encodings
		}
		contentText(data, &out)
	}
	text := strings.TrimSpace(out.String())
	if text == "" {
		return "", fmt.Errorf("%w: no extractable text", ErrMalformed)
	}
	return text, nil
}

// isContentStream reports whether a stream dictionary looks like a page
// content stream rather than a font, image, metadata or cross-reference.
func isContentStream(dict []byte) bool {
	for _, k := range []string{"/Length1", "/Length2", "/Length3", "/Subtype", "/XRef", "/ObjStm", "/Metadata", "/XObject", "/Image", "/FontFile"} {
		if bytes.Contains(dict, []byte(k)) {
			return false
		}
	}
	return true
}

// contentText appends the text shown by a content stream to out.
func contentText(s []byte, out *strings.Builder) {
	var operands []string
	line := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '(':
			str, n := pdfLiteral(s[i:])
			operands = append(operands, str)
			i += n
		case c == '<' && i+1 < len(s) && s[i+1] != '<':
			str, n := pdfHex(s[i:])
			operands = append(operands, str)
			i += n
		case c == '[':
			operands = append(operands, "[")
			i++
		case c == ']':
			// Join the array's strings into one operand.
			j := len(operands) - 1
			for j >= 0 && operands[j] != "[" {
				j--
			}
			var b strings.Builder
			for _, o := range operands[max(j+1, 0):] {
				b.WriteString(o)
			}
			operands = append(operands[:max(j, 0)], b.String())
			i++
		case c == '%':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case isPDFSpace(c):
			i++
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '\'' || c == '"' || c == '*':
			j := i
			for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] == '\'' || s[j] == '"' || s[j] == '*') {
				j++
			}
			op := string(s[i:j])
			i = j
			switch op {
			case "Tj", "TJ", "'", "\"":
				if op == "'" || op == "\"" {
					out.WriteByte('\n')
				}
				for _, o := range operands {
					if o != "[" {
						out.WriteString(o)
					}
				}
				line = true
			case "Td", "TD", "T*", "Tm", "ET":
				if line {
					out.WriteByte('\n')
					line = false
				}
			}
			operands = operands[:0]
		default:
			// Numbers, names and dictionaries are skipped.
			i++
		}
	}
	if line {
		out.WriteByte('\n')
	}
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// pdfLiteral decodes a literal string "(...)" at the start of s and
// returns it and the bytes consumed.
func pdfLiteral(s []byte) (string, int) {
	var b []byte
	depth := 0
	i := 0
	for i < len(s) {
		c := s[i]
		i++
		switch c {
		case '(':
			if depth > 0 {
				b = append(b, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return latin1(b), i
			}
			b = append(b, c)
		case '\\':
			if i >= len(s) {
				return latin1(b), i
			}
			e := s[i]
			i++
			switch e {
			case 'n':
				b = append(b, '\n')
			case 'r', 't', 'b', 'f':
				b = append(b, ' ')
			case '\r', '\n':
				// Line continuation.
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
						v = v*8 + int(s[i]-'0')
						i++
					}
					b = append(b, byte(v))
				} else {
					b = append(b, e)
				}
			}
		default:
			b = append(b, c)
		}
	}
	return latin1(b), i
}

// pdfHex decodes a hex string "<...>" at the start of s.
func pdfHex(s []byte) (string, int) {
	end := bytes.IndexByte(s, '>')
	if end < 0 {
		return "", len(s)
	}
	var b []byte
	hi, have := byte(0), false
	for _, c := range s[1:end] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if have {
			b = append(b, hi<<4|v)
			have = false
		} else {
			hi, have = v, true
		}
	}
	if have {
		b = append(b, hi<<4)
	}
	return latin1(b), end + 1
}

// latin1 maps bytes to runes as PDFDocEncoding roughly does, dropping
// control characters.
func latin1(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\n':
			sb.WriteByte('\n')
		case c < 0x20 || c == 0x7f:
			continue
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}
