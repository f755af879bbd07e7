// Package train builds intent classifiers from labelled examples, saves
// and loads them, and measures them: everything an intent model needs
// before it serves. A trained [*Model] is an intent.Classifier.
//
//	examples, err := train.LoadFile("intents.yaml") // or CSV "text,intent", or Go values
//	model, err := train.Train(ctx, examples)         // seconds, in process, deterministic
//	u := intent.New(model)                           // serve it
//
// [Train] builds a [Model]: TF-IDF features over Unicode-normalised,
// case-folded text (stemmed words, word bigrams, character n-grams inside
// words), multinomial logistic regression trained by SGD with a fixed
// seed mixed with one-vs-rest linear SVMs ([Ensemble], the default; the
// mix is one linear model), and temperatures fitted on held-out rows so
// that confidences are calibrated. Features the model never saw still
// count towards the length of the feature vector, so text in an unknown
// language or on an unknown topic gets low confidence. Examples labelled
// "oos" are learnt as an out-of-scope class. Models save with
// [Model.WriteTo] and load with [ReadModel] in a versioned format.
//
// To replace a serving model, train a new one and swap it in with
// intent.Understander.SetClassifier; turns that are classifying finish
// with the old model.
//
// [Score], [Sweep], [ChooseThreshold] and [Evaluate] measure a classifier
// on labelled data and pick the threshold on a validation set; the
// command "parley nlu eval" wraps them. [Validate] reports problems in
// training data before training.
//
// # Languages
//
// Stemming: English, Spanish, French, German, Italian, Portuguese
// (Snowball); other languages use words as written and still work.
//
// # Concurrency
//
// A [Model] is immutable once trained or loaded and safe for concurrent
// use.
//
// # Errors
//
// Training data problems come back as a [*DataError] naming the rows;
// malformed files as a [*RowError] wrapping [ErrFormat]; model files of
// another format version as a [*VersionError], damaged ones wrap
// [ErrModelFile].
package train
