package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The testdata churn files are synthetic: 400 training and 150 test
// customers whose churn follows a logistic model of their plan, logins a
// week, days since their last order (5% blank) and support tickets; one
// test row has no label; the customers to score include a plan never seen
// in training and a blank.
var churnFlags = []string{"-id", "customer_id", "-label", "churned"}

func runChurnCmd(t *testing.T, args ...string) (string, string) {
	t.Helper()
	stdout, stderr, err := runCmd(append([]string{"churn"}, args...)...)
	require.NoError(t, err, stderr)
	return stdout, stderr
}

// trainedLine matches the training time, the one line that changes from
// run to run.
var trainedLine = regexp.MustCompile(`(?m)^trained on (\d+) customers, (\d+) features in .*$`)

func TestChurnEval(t *testing.T) {
	out, errs := runChurnCmd(t, append([]string{"eval", "-train", "testdata/churn_train.csv", "-test", "testdata/churn_test.csv"}, churnFlags...)...)
	golden(t, "churn_eval.golden", out)
	assert.Equal(t, "testdata/churn_train.csv: column days_since_order: 19 blank values taken as the mean, 60.03\n"+
		"trained on 400 customers, 9 features in X\n"+
		"testdata/churn_test.csv: 1 row(s) without a label skipped\n", trainedLine.ReplaceAllString(errs, "trained on $1 customers, $2 features in X"))
}

func TestChurnTrain(t *testing.T) {
	out, _ := runChurnCmd(t, append([]string{"train", "-data", "testdata/churn_train.csv"}, churnFlags...)...)
	golden(t, "churn_train.golden", out)
}

func TestChurnScore(t *testing.T) {
	out, _ := runChurnCmd(t, append([]string{"score", "-train", "testdata/churn_train.csv", "-top", "2"}, append(churnFlags, "testdata/churn_customers.csv")...)...)
	golden(t, "churn_score.golden", out)
}

// TestChurnTelco checks the command on the Telco split against
// scikit-learn's logistic regression (ROC AUC 0.854, data README).
func TestChurnTelco(t *testing.T) {
	dir := os.Getenv("PARLEY_TEST_DATA")
	if dir == "" {
		t.Skip("PARLEY_TEST_DATA not set")
	}
	telco := filepath.Join(dir, "churn", "telco")
	out, _ := runChurnCmd(t, "eval", "-train", filepath.Join(telco, "train.csv"), "-test", filepath.Join(telco, "test.csv"))
	m := regexp.MustCompile(`(?m)^  ROC AUC +([0-9.]+)`).FindStringSubmatch(out)
	require.Len(t, m, 2, out)
	auc, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	t.Logf("Telco test ROC AUC %.4f (scikit-learn 0.854)\n%s", auc, out)
	assert.GreaterOrEqual(t, auc, 0.854)
	assert.Contains(t, out, `Contract           0.573  "Month-to-month" raises the risk most`)
}

func TestChurnBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.csv", "")
	header := writeFile(t, dir, "header.csv", "customer_id,plan,churned\n")
	oneClass := writeFile(t, dir, "one.csv", "customer_id,plan,churned\nA,x,no\nB,y,no\n")
	badLabel := writeFile(t, dir, "bad.csv", "customer_id,plan,churned\nA,x,no\nB,y,maybe\n")
	ragged := writeFile(t, dir, "ragged.csv", "customer_id,plan,churned\nA,x\n")
	noLabels := writeFile(t, dir, "nolabels.csv", "customer_id,plan,churned\nA,x,\n")
	few := writeFile(t, dir, "few.csv", "customer_id,plan,churned\nA,x,yes\nB,y,no\n")
	onlyID := writeFile(t, dir, "onlyid.csv", "customer_id,churned\nA,yes\nB,no\nC,yes\nD,no\nE,yes\nF,no\nG,yes\nH,no\nI,yes\nJ,no\n")
	planOnly := writeFile(t, dir, "plan.csv", "customer_id,plan\nA,monthly\n")
	letters := writeFile(t, dir, "letters.csv", "customer_id,plan,logins_per_week,days_since_order,tickets\nA,monthly,many,3,1\n")
	train := "testdata/churn_train.csv"
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"churn"}, "churn: no command (train, eval, score)"},
		{[]string{"churn", "predict"}, `churn: unknown command "predict" (train, eval, score)`},
		{[]string{"churn", "train"}, "churn train: give the training file with -data, and nothing else"},
		{[]string{"churn", "eval", "-train", train}, "churn eval: give -train and -test files, and nothing else"},
		{[]string{"churn", "score", "-train", train}, "churn score: give -train and one file of customers to score"},
		{[]string{"churn", "eval", "-threshold", "1", "-train", train, "-test", train}, "churn eval: -threshold 1: want a probability between 0 and 1 (exclusive)"},
		{[]string{"churn", "score", "-top", "0", "-train", train, train}, "churn score: -top 0: want at least 1"},
		{[]string{"churn", "train", "-frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"churn", "train", "-data", empty}, "churn train: " + empty + ": empty file (want a header line, then one customer a line)"},
		{[]string{"churn", "train", "-data", header}, "churn train: " + header + ": a header but no customers"},
		{[]string{"churn", "train", "-data", filepath.Join(dir, "nope.csv")}, "churn train: open " + filepath.Join(dir, "nope.csv") + ": no such file or directory"},
		{[]string{"churn", "train", "-data", train}, `churn train: testdata/churn_train.csv: no label column "Churn" (columns: customer_id, plan, logins_per_week, days_since_order, tickets, churned; choose one with -label)`},
		{[]string{"churn", "train", "-label", "churned", "-data", oneClass}, "churn train: " + oneClass + ": all 2 labelled customers are in one class: need churners and stayers"},
		{[]string{"churn", "train", "-label", "churned", "-data", badLabel}, "churn train: " + badLabel + `: line 3: label "maybe" is not yes/no, true/false or 1/0`},
		{[]string{"churn", "train", "-label", "churned", "-data", ragged}, "churn train: " + ragged + ": record on line 2: wrong number of fields"},
		{[]string{"churn", "train", "-label", "churned", "-data", noLabels}, "churn train: " + noLabels + `: no row has a label in column "churned"`},
		{[]string{"churn", "train", "-label", "churned", "-data", few}, "churn train: " + few + ": 2 labelled customers: need at least 10 to train and cross-validate"},
		{[]string{"churn", "train", "-label", "churned", "-id", "customer_id", "-data", onlyID}, "churn train: " + onlyID + `: no feature columns besides "churned" and "customer_id"`},
		{[]string{"churn", "train", "-label", "churned", "-ignore", "colour", "-data", train}, `churn train: testdata/churn_train.csv: -ignore: no column "colour"`},
		{append([]string{"churn", "score", "-train", train}, append(churnFlags, empty)...), "churn score: " + empty + ": empty file (want a header line, then one customer a line)"},
		{append([]string{"churn", "score", "-train", train}, append(churnFlags, planOnly)...), "churn score: " + planOnly + ": missing the model's columns logins_per_week, days_since_order, tickets"},
		{append([]string{"churn", "score", "-train", train}, append(churnFlags, letters)...), "churn score: " + letters + `: line 2: column logins_per_week: "many" is not a number`},
		{append([]string{"churn", "eval", "-train", train, "-test", badLabel}, churnFlags...), "churn eval: " + badLabel + `: line 3: label "maybe" is not yes/no, true/false or 1/0`},
	} {
		t.Run(tc.err, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.EqualError(t, run(context.Background(), tc.args, &stdout, &stderr), tc.err)
		})
	}
}
