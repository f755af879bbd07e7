package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/sentiment"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestSentimentEvalJSON(t *testing.T) {
	p := writeTemp(t, "s.csv", "text,label,score\n"+
		"I love this,positive,0.8\n"+
		"This is terrible,negative,-0.7\n"+
		"The box is blue,neutral,0.0\n"+
		"\"Great, thanks!\",positive,0.6\n")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"sentiment", "eval", "-data", p, "-json", "-mintime", "1ms"}, &out, &errb)
	require.NoError(t, err, errb.String())
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
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
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
			p := writeTemp(t, "bad.csv", tt.give)
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"sentiment", "eval", "-data", p, "-mintime", "1ms"}, &out, &errb)
			require.Error(t, err)
		})
	}
	var out, errb bytes.Buffer
	require.Error(t, run(context.Background(), []string{"sentiment", "eval"}, &out, &errb))
	require.Error(t, run(context.Background(), []string{"sentiment", "eval", "-data", "/nonexistent.csv"}, &out, &errb))
	require.Error(t, run(context.Background(), []string{"sentiment", "nope"}, &out, &errb))
}

func TestSentimentEvalComplaint(t *testing.T) {
	p := writeTemp(t, "c.csv", "text,label\n"+
		"My order never arrived and nobody answers my emails.,complaint\n"+
		"I was charged twice and I want a refund!,complaint\n"+
		"What are your opening hours on Sunday?,not_complaint\n"+
		"Thanks a lot for your help!,not_complaint\n")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"sentiment", "eval", "-data", p, "-json", "-mintime", "1ms"}, &out, &errb)
	require.NoError(t, err, errb.String())
	var rep sentimentReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	assert.Equal(t, "complaint", rep.Task)
	assert.Equal(t, "model", rep.Mode)
	assert.InDelta(t, 1.0, rep.Classes["complaint"].F1, 1e-9)
	assert.InDelta(t, 1.0, rep.MacroF1, 1e-9)
	assert.GreaterOrEqual(t, rep.ECE, 0.0)
	require.Len(t, rep.Baselines, 2)

	mixed := writeTemp(t, "m.csv", "text,label\nhi,neutral\nbad,complaint\n")
	require.Error(t, run(context.Background(), []string{"sentiment", "eval", "-data", mixed, "-mintime", "1ms"}, &out, &errb))
	require.Error(t, run(context.Background(), []string{"sentiment", "eval", "-data", p, "-analyzer", "nope"}, &out, &errb))
	require.Error(t, run(context.Background(), []string{"sentiment", "eval", "-data", p, "-model", "/nonexistent.model"}, &out, &errb))
}

func TestSentimentTrain(t *testing.T) {
	dir := t.TempDir()
	rows := "thank you so much, this is great\t15\nthis is ridiculous, I'm so annoyed\t3\n" +
		"what do you mean? I'm confused\t6\nthe store opens at nine\t27\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train.tsv"), []byte(rows), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dev.tsv"), []byte(rows), 0o600))
	model := filepath.Join(dir, "s.model")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"sentiment", "train", "-data", dir, "-out", model, "-epochs", "2", "-bits", "10"}, &out, &errb)
	require.NoError(t, err, errb.String())
	assert.Contains(t, out.String(), fmt.Sprintf("format version %d", sentiment.ModelVersion))
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"sentiment", "score", "-model", model, "thank you"}, &out, &errb))
	assert.Contains(t, out.String(), `"label":`)
	require.Error(t, run(context.Background(), []string{"sentiment", "train", "-data", "/nonexistent"}, &out, &errb))
}

func TestSentimentEmotions(t *testing.T) {
	p := writeTemp(t, "e.tsv", "This is ridiculous, I'm so annoyed\t3\tid1\n"+
		"I don't understand what you mean?\t6\tid2\n"+
		"Nice weather today\t27\tid3\n")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"sentiment", "emotions", "-data", p, "-json"}, &out, &errb)
	require.NoError(t, err, errb.String())
	var rep emotionReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	assert.Equal(t, 3, rep.N)
	assert.InDelta(t, 1.0, rep.Emotions["parley"]["frustration"].Recall, 1e-9)
	assert.InDelta(t, 1.0, rep.Emotions["parley"]["confusion"].Recall, 1e-9)
	assert.Contains(t, rep.Emotions["model"], "gratitude")

	bad := writeTemp(t, "bad.tsv", "text\tnotanumber\n")
	require.Error(t, run(context.Background(), []string{"sentiment", "emotions", "-data", bad}, &out, &errb))
}

func TestSentimentScore(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"sentiment", "score", "I love it"}, &out, &errb))
	assert.Contains(t, out.String(), `"label":"positive"`)
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
