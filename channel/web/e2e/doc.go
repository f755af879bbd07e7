// Package e2e holds the end-to-end tests of the web chat widget in a real
// headless Chromium, driven with chromedp. It is a nested module so that
// the browser driver stays out of the core module's dependencies.
//
// # Overview
//
// The tests run when PARLEY_TEST_CHROME names the browser binary and skip
// otherwise:
//
//	PARLEY_TEST_CHROME=/usr/bin/chromium go test ./...
//
// Set PARLEY_E2E_SCREENSHOT to a file name to keep a PNG screenshot of the
// open widget.
//
// # Concurrency
//
// Each test starts its own server and browser.
//
// # Errors
//
// A test fails with the page's state when an expected element does not
// appear within its timeout.
package e2e
