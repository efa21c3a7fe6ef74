package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDelayStaysWithinEqualJitterBounds(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second}
	for attempt := range 12 {
		want := min(b.Min<<attempt, b.Max)
		for range 500 {
			d := b.Delay(attempt)
			require.GreaterOrEqual(t, d, want/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, want, "attempt %d", attempt)
		}
	}
}

func TestDelayGrowsThenCaps(t *testing.T) {
	b := Backoff{Min: 10 * time.Millisecond, Max: time.Second}
	avg := func(attempt int) time.Duration {
		var sum time.Duration
		for range 2000 {
			sum += b.Delay(attempt)
		}
		return sum / 2000
	}
	// Equal jitter averages 3/4 of the un-jittered delay.
	require.InDelta(t, float64(7500*time.Microsecond), float64(avg(0)), float64(time.Millisecond))
	require.InDelta(t, float64(15*time.Millisecond), float64(avg(1)), float64(2*time.Millisecond))
	require.InDelta(t, float64(30*time.Millisecond), float64(avg(2)), float64(3*time.Millisecond))
	require.InDelta(t, float64(750*time.Millisecond), float64(avg(10)), float64(30*time.Millisecond))
	for range 1000 {
		require.LessOrEqual(t, b.Delay(50), time.Second)
	}
}

func TestDelayDoesNotOverflow(t *testing.T) {
	for _, b := range []Backoff{
		{Min: time.Millisecond, Max: time.Duration(1<<63 - 1)},
		{Min: time.Duration(1<<62 + 1), Max: time.Duration(1<<63 - 1)},
		{Min: time.Hour, Max: time.Minute}, // Max below Min
		{},
	} {
		for _, attempt := range []int{0, 1, 62, 63, 64, 1000, 1 << 30} {
			d := b.Delay(attempt)
			require.Positive(t, d, "%+v attempt %d", b, attempt)
			require.LessOrEqual(t, d, max(b.Max, b.Min, DefaultMax), "%+v attempt %d", b, attempt)
		}
	}
	require.LessOrEqual(t, Backoff{}.Delay(1000), DefaultMax)
	require.GreaterOrEqual(t, Backoff{}.Delay(1000), DefaultMax/2)
	require.LessOrEqual(t, Backoff{}.Delay(0), DefaultMin)
}

func TestNegativeAttemptIsFirst(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	for range 100 {
		require.LessOrEqual(t, b.Delay(-5), 100*time.Millisecond)
		require.GreaterOrEqual(t, b.Delay(-5), 50*time.Millisecond)
	}
}

func TestSleepWaits(t *testing.T) {
	start := time.Now()
	require.NoError(t, Sleep(context.Background(), 20*time.Millisecond))
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	require.NoError(t, Sleep(context.Background(), 0))
	require.NoError(t, Sleep(context.Background(), -time.Second))
}

func TestSleepHonoursCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	require.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	require.Less(t, time.Since(start), 5*time.Second)

	// An ended ctx wins even over a zero delay.
	require.ErrorIs(t, Sleep(ctx, 0), context.Canceled)

	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer dcancel()
	require.ErrorIs(t, Sleep(dctx, time.Hour), context.DeadlineExceeded)
}
