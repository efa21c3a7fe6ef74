// Package backoff spaces out reconnects and retries: exponentially, so a
// broker that is down is not hammered, and with jitter, so that many
// clients that failed together do not come back together.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Defaults for a zero Backoff.
const (
	DefaultMin = 100 * time.Millisecond
	DefaultMax = 10 * time.Second
)

// Backoff computes delays that double from Min up to Max. The zero value
// uses [DefaultMin] and [DefaultMax]; a Max below Min is raised to Min.
type Backoff struct {
	Min, Max time.Duration
}

// Delay returns how long to wait before retry number attempt (0 for the
// first retry). It uses "equal jitter": with d = min(Min·2^attempt, Max),
// the result is uniform in [d/2, d]. Half the delay stays fixed so that a
// retry never comes immediately, and the random half spreads clients out.
// The result is never negative and never above Max, for any attempt.
func (b Backoff) Delay(attempt int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = DefaultMin
	}
	if hi <= 0 {
		hi = DefaultMax
	}
	hi = max(hi, lo)
	d := lo
	// Doubling stops at the cap, so a large attempt cannot overflow.
	for i := 0; i < attempt && d < hi; i++ {
		if d > hi/2 {
			d = hi
			break
		}
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + rand.N(d-half+1)
}

// Sleep waits for d or until ctx ends, whichever comes first, and returns
// ctx's error in the latter case. A ctx that has already ended returns at
// once, even when d is zero, so retry loops stop promptly.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
