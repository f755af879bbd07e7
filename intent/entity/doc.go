// Package entity finds typed values in text: regular expressions, lookup
// lists with synonyms and typo tolerance, and built-ins for e-mail, phone,
// money, order numbers, numbers, dates and date ranges.
//
// # Overview
//
//	cities := entity.Lookup("city", map[string][]string{"Paris": nil, "New York": {"NYC"}})
//	xs := append(entity.Builtins(), cities)
//	es, err := entity.Extract(ctx, entity.Input{
//		Text:     "Book a flight to Paris next Friday",
//		Time:     turn.Time,
//		Location: customerZone, // relative dates resolve in the customer's zone
//	}, xs...)
//	// es: city=Paris, date=2025-06-13
//
// Values follow [nlu.Entity]: dates as 2006-01-02, ranges as
// 2006-01-02/2006-01-08, money as "49.99 USD", phones as +digits.
//
// # Languages
//
//   - [Email], [Phone], [Regex], [OrderID]: any language.
//   - [Money]: symbols ($ € £ ¥), ISO codes, English and Spanish currency words.
//   - [Number]: digits; number words in English and Spanish up to twenty.
//   - [Date]: English and Spanish.
//   - [Lookup]: any language written with spaces between words.
//
// # Concurrency
//
// Extractors are immutable and safe for concurrent use.
//
// # Errors
//
// Built-in extractors never fail; [Extract] returns the first error of a
// custom extractor. [RegexFromString] reports a bad pattern.
//
// # Implementing Extractor
//
// Return entities with byte offsets into [Input.Text] and a normalised
// Value; [Extract] resolves overlaps (longer span first).
package entity
