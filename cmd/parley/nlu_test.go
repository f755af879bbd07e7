package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nluData writes a small train/test pair in the eval format.
func nluData(t *testing.T) (train, test string) {
	t.Helper()
	dir := t.TempDir()
	rows := map[string][]string{
		"track_order": {"where is my order", "track my package", "when will my order arrive", "has my parcel shipped", "status of my delivery", "my order has not arrived", "where is my package", "tracking number please"},
		"refund":      {"I want my money back", "how do I get a refund", "refund my purchase", "can I get reimbursed", "I would like a refund", "return it for a refund", "give me my money back", "how long does a refund take"},
		"oos":         {"tell me a joke", "what is the weather", "play some music", "who won the game"},
	}
	var tr, te strings.Builder
	tr.WriteString("text,intent\n")
	te.WriteString("text,intent\n")
	for intent, texts := range rows {
		for i, s := range texts {
			b := &tr
			if i%4 == 3 {
				b = &te
			}
			b.WriteString(s + "," + intent + "\n")
		}
	}
	return writeFile(t, dir, "train.csv", tr.String()), writeFile(t, dir, "test.csv", te.String())
}

func TestNLUEvalJSON(t *testing.T) {
	train, test := nluData(t)
	report := t.TempDir()
	var out, errOut bytes.Buffer
	err := runNLU(context.Background(), []string{"eval", "-train", train, "-test", test, "-json", "-report", report}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	for _, k := range []string{"accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "threshold", "train_seconds", "classify_p50_us", "classify_p99_us", "model_bytes"} {
		assert.Contains(t, got, k)
	}
	html, err := os.ReadFile(filepath.Join(report, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(html), "<svg"), "heat map and threshold curve")
}

func TestNLUEvalText(t *testing.T) {
	train, test := nluData(t)
	var out bytes.Buffer
	require.NoError(t, runNLU(context.Background(), []string{"eval", "-train", train, "-test", test, "-val", test}, &out, &out))
	for _, want := range []string{"per-intent results", "most confused pairs", "threshold sweep", "objective:", "centroid"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestNLUValidate(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "bad.csv", "text,intent\nwhere is my order,track_order\nWhere is my order,refund\nhello,\nonly,greet\n")
	var out bytes.Buffer
	err := runNLU(context.Background(), []string{"validate", path}, &out, &out)
	require.Error(t, err)
	s := out.String()
	assert.Contains(t, s, "empty intent name ("+path+":4)")
	assert.Contains(t, s, "labelled with different intents: refund, track_order ("+path+":2, "+path+":3)")
	assert.Contains(t, s, `intent "greet" has only 1 example(s)`)

	err = runNLU(context.Background(), []string{"eval", "-train", path}, &out, &out)
	assert.Error(t, err)
}

func TestNLUEvalAlgorithms(t *testing.T) {
	train, test := nluData(t)
	var out, errOut bytes.Buffer
	err := runNLU(context.Background(), []string{"eval", "-train", train, "-test", test, "-json", "-algorithm", "softmax", "-compare", "ensemble,centroid"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	var got struct {
		Algorithm string `json:"algorithm"`
		Compare   []struct {
			Algorithm string `json:"algorithm"`
		} `json:"compare"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, "softmax", got.Algorithm)
	require.Len(t, got.Compare, 2)
	assert.Equal(t, "ensemble", got.Compare[0].Algorithm)
	assert.Equal(t, "centroid", got.Compare[1].Algorithm)

	tests := []struct {
		name string
		give []string
	}{
		{"algorithm", []string{"-algorithm", "bert"}},
		{"compare", []string{"-compare", "softmax,bert"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"eval", "-train", train, "-test", test}, tt.give...)
			err := runNLU(context.Background(), args, &out, &errOut)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `unknown algorithm "bert"`)
		})
	}
}
