module github.com/parleyhq/parley/channel/web/e2e

go 1.26.0

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/parleyhq/parley v0.0.0
	golang.org/x/time v0.15.0
)

require (
	github.com/blevesearch/snowballstem v0.9.0 // indirect
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/expr-lang/expr v1.17.8 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/jsonschema-go v0.4.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace github.com/parleyhq/parley => ../../..
