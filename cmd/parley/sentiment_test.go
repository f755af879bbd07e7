package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSentimentEvalJSON(t *testing.T) {
	p := writeFile(t, t.TempDir(), "s.csv", "text,label,score\n"+
		"I love this,positive,0.8\n"+
		"This is terrible,negative,-0.7\n"+
		"The box is blue,neutral,0.0\n"+
		"\"Great, thanks!\",positive,0.6\n")
	var rep struct {
		N         int      `json:"n"`
		Accuracy  float64  `json:"accuracy"`
		MacroF1   float64  `json:"macro_f1"`
		Pearson   *float64 `json:"pearson"`
		Speed     float64  `json:"sentences_per_second"`
		Baselines []struct {
			Mode string `json:"mode"`
		} `json:"baselines"`
	}
	runJSON(t, &rep, "sentiment", "eval", "-data", p, "-json", "-mintime", "1ms")
	assert.Equal(t, 4, rep.N)
	assert.InDelta(t, 1.0, rep.Accuracy, 1e-9)
	assert.InDelta(t, 1.0, rep.MacroF1, 1e-9)
	require.NotNil(t, rep.Pearson)
	assert.Greater(t, *rep.Pearson, 0.9)
	assert.Greater(t, rep.Speed, 0.0)
	require.Len(t, rep.Baselines, 2)
	assert.Equal(t, "parley", rep.Baselines[0].Mode)
	assert.Equal(t, "vader", rep.Baselines[1].Mode)
}

func TestSentimentEvalErrors(t *testing.T) {
	tests := []struct {
		name string
		give string
	}{
		{"no label column", "text,score\nhello,0.1\n"},
		{"bad label", "text,label\nhello,happy\n"},
		{"bad score", "text,label,score\nhello,neutral,abc\n"},
		{"score out of range", "text,label,score\nhello,neutral,3\n"},
		{"empty", "text,label\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "bad.csv", tt.give)
			runFails(t, "sentiment", "eval", "-data", p, "-mintime", "1ms")
		})
	}
	runFails(t, "sentiment", "eval")
	runFails(t, "sentiment", "eval", "-data", "/nonexistent.csv")
	runFails(t, "sentiment", "nope")
}

func TestSentimentEvalComplaint(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.csv", "text,label\n"+
		"My order never arrived and nobody answers my emails.,complaint\n"+
		"I was charged twice and I want a refund!,complaint\n"+
		"What are your opening hours on Sunday?,not_complaint\n"+
		"Thanks a lot for your help!,not_complaint\n")
	var rep sentimentReport
	runJSON(t, &rep, "sentiment", "eval", "-data", p, "-json", "-mintime", "1ms")
	assert.Equal(t, "complaint", rep.Task)
	assert.Equal(t, "model", rep.Mode)
	assert.InDelta(t, 1.0, rep.Classes["complaint"].F1, 1e-9)
	assert.InDelta(t, 1.0, rep.MacroF1, 1e-9)
	assert.GreaterOrEqual(t, rep.ECE, 0.0)
	require.Len(t, rep.Baselines, 2)

	mixed := writeFile(t, t.TempDir(), "m.csv", "text,label\nhi,neutral\nbad,complaint\n")
	runFails(t, "sentiment", "eval", "-data", mixed, "-mintime", "1ms")
	runFails(t, "sentiment", "eval", "-data", p, "-analyzer", "nope")
	runFails(t, "sentiment", "eval", "-data", p, "-model", "/nonexistent.model")
}

func TestSentimentTrain(t *testing.T) {
	dir := t.TempDir()
	rows := "thank you so much, this is great\t15\nthis is ridiculous, I'm so annoyed\t3\n" +
		"what do you mean? I'm confused\t6\nthe store opens at nine\t27\n"
	writeFile(t, dir, "train.tsv", rows)
	writeFile(t, dir, "dev.tsv", rows)
	model := filepath.Join(dir, "s.model")
	out := runOK(t, "sentiment", "train", "-data", dir, "-out", model, "-epochs", "2", "-bits", "10")
	assert.Contains(t, out, fmt.Sprintf("format version %d", sentiment.ModelVersion))
	assert.Contains(t, runOK(t, "sentiment", "score", "-model", model, "thank you"), `"label":`)
	runFails(t, "sentiment", "train", "-data", "/nonexistent")
}

func TestSentimentEmotions(t *testing.T) {
	p := writeFile(t, t.TempDir(), "e.tsv", "This is ridiculous, I'm so annoyed\t3\tid1\n"+
		"I don't understand what you mean?\t6\tid2\n"+
		"Nice weather today\t27\tid3\n")
	var rep emotionReport
	runJSON(t, &rep, "sentiment", "emotions", "-data", p, "-json")
	assert.Equal(t, 3, rep.N)
	assert.InDelta(t, 1.0, rep.Emotions["parley"]["frustration"].Recall, 1e-9)
	assert.InDelta(t, 1.0, rep.Emotions["parley"]["confusion"].Recall, 1e-9)
	assert.Contains(t, rep.Emotions["model"], "gratitude")

	bad := writeFile(t, t.TempDir(), "bad.tsv", "text\tnotanumber\n")
	runFails(t, "sentiment", "emotions", "-data", bad)
}

func TestSentimentScore(t *testing.T) {
	assert.Contains(t, runOK(t, "sentiment", "score", "I love it"), `"label":"positive"`)
}

func FuzzReadPolarityCSV(f *testing.F) {
	f.Add("text,label,score\nhi,neutral,0\n")
	f.Add("label,text\npositive,\"a,b\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, _, _, err := readPolarityCSV(bytes.NewReader([]byte(s)))
		if err == nil && len(rows) == 0 {
			t.Fatal("no error and no rows")
		}
	})
}
