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

	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/intent/train"
)

// reviewFiles writes the base and held-out sets of a small shop model
// (it knows refunds only by the word "refund"; the held-out set asks for
// money back) and returns their paths.
func reviewFiles(t *testing.T) (trainPath, evalPath string) {
	dir := t.TempDir()
	trainPath = writeFile(t, dir, "train.csv", `text,intent
hi,greeting
hello,greeting
hey there,greeting
good morning,greeting
"hello, I need help",greeting
hiya,greeting
where is my order,track_order
track my order,track_order
track my package,track_order
when will my order arrive,track_order
has my parcel shipped,track_order
status of my delivery,track_order
my order has not arrived,track_order
refund,refund
I want a refund,refund
refund my order,refund
can I get a refund,refund
refund please,refund
how do refunds work,refund
cancel my plan,cancel
cancel my subscription,cancel
I want to cancel,cancel
stop my subscription,cancel
end my membership,cancel
cancel the plan please,cancel
`)
	evalPath = writeFile(t, dir, "eval.csv", `text,intent
I want my money back,refund
give me my money back,refund
money back please,refund
can I have my money back,refund
I would like my money back for this order,refund
where is my parcel,track_order
track order,track_order
has my order shipped yet,track_order
please cancel my subscription,cancel
cancel my membership,cancel
hello there,greeting
"hi, good morning",greeting
`)
	return trainPath, evalPath
}

// retrain runs "parley review retrain" on the files of reviewFiles and
// the labels given, writing the new model (if better) to out.
func retrain(t *testing.T, labels string, flags ...string) (out string, stdout *bytes.Buffer) {
	t.Helper()
	trainPath, evalPath := reviewFiles(t)
	dir := t.TempDir()
	out = filepath.Join(dir, "new.model")
	var stderr bytes.Buffer
	stdout = &bytes.Buffer{}
	args := append([]string{"review", "retrain", "-train", trainPath, "-eval", evalPath,
		"-labels", writeFile(t, dir, "labels.csv", "text,intent\n"+labels), "-out", out}, flags...)
	require.NoError(t, run(context.Background(), args, stdout, &stderr), stderr.String())
	return out, stdout
}

func TestReviewRetrainWritesABetterModel(t *testing.T) {
	out, stdout := retrain(t, "my money back,refund\nI need my money back,refund\n"+
		"send my money back,refund\nmoney back for my order,refund\nI'd like my money back,refund\nreturn my money,refund\n"+
		"get my money back now,refund\nwant money back,refund\n", "-json")
	var rep learn.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	assert.True(t, rep.Deployed, rep.Reason)
	assert.Greater(t, rep.After.Accuracy, rep.Before.Accuracy)
	assert.Equal(t, 8, rep.Labelled)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	m, err := train.ReadModel(f)
	require.NoError(t, err)
	res, err := m.Classify(context.Background(), "give me my money back")
	require.NoError(t, err)
	assert.Equal(t, "refund", res.Top().Name)
}

func TestReviewRetrainKeepsTheServingModel(t *testing.T) {
	out, stdout := retrain(t, "where is my parcel now,cancel\ntrack order A-1,cancel\n"+
		"has my order shipped,cancel\norder status,cancel\nmy parcel,cancel\nwhere is my stuff,cancel\ntrack my parcel,cancel\n"+
		"has it shipped,cancel\nwhere's my order,cancel\nshipping status,cancel\n")
	assert.Contains(t, stdout.String(), "not written: lower accuracy")
	_, err := os.Stat(out)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestReviewUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"review", "retrain", "-train", "x.csv"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-eval")
	err = run(context.Background(), []string{"review", "label"}, &stdout, &stderr)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "unknown command"))
}
