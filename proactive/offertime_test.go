package proactive

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestOfferTimeInTheCustomersLanguage(t *testing.T) {
	at := time.Date(2027, time.January, 8, 10, 15, 0, 0, time.UTC)
	assert.Equal(t, "Fri Jan 8 at 10:15", offerTime(at, ""))
	assert.Equal(t, "Fri Jan 8 at 10:15", offerTime(at, "en-GB"))
	assert.Equal(t, "vie 8 ene a las 10:15", offerTime(at, "es"))
	assert.Equal(t, "vie 8 ene a las 10:15", offerTime(at, "es-MX"))
	assert.Equal(t, "dom 3 sep a las 09:05", offerTime(time.Date(2028, time.September, 3, 9, 5, 0, 0, time.UTC), "ES"))
}
