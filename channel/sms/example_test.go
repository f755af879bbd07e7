package sms_test

import (
	"fmt"
	"net/url"

	"github.com/parleyhq/parley/channel/sms"
)

func ExampleSignature() {
	// The example from Twilio's webhook security documentation.
	params := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	fmt.Println(sms.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output: 0/KCTR6DLpKmkAf8muzZqo1nDgQ=
}
