package conn

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

func TestReauthAtIsBetween85And95Percent(t *testing.T) {
	start := time.Unix(1000, 0)
	for range 1000 {
		at := reauthAt(start, time.Hour).Sub(start)
		require.GreaterOrEqual(t, at, 51*time.Minute)
		require.LessOrEqual(t, at, 57*time.Minute)
	}
}

// waitFor polls cond for up to 15 seconds: the machine may be loaded, so
// no test below asserts a tight time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// traffic keeps workers goroutines sending requests on c until stop is
// closed, and returns how many succeeded and the first error.
func traffic(c *Conn, workers int, stop <-chan struct{}) func() (int64, error) {
	var ok atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				code, err := roundTrip(ctx, c)
				cancel()
				if err == nil && code != 42 {
					err = fmt.Errorf("answer with error code %d: answers were mixed up", code)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				ok.Add(1)
			}
		}()
	}
	return func() (int64, error) {
		wg.Wait()
		return ok.Load(), firstErr
	}
}

// reauthUnderLoad dials b, keeps requests in flight, and waits for the
// broker to have seen the initial authentication and two more. It checks
// that every request succeeded, that the broker saw no request during an
// exchange nor a handshake with requests unanswered, and that no
// re-authentication came long before the session's end.
func reauthUnderLoad(t *testing.T, b *authBroker, s *SASL) []authRecord {
	before := runtime.NumGoroutine()
	b.lifetime, b.delay = 300*time.Millisecond, 2*time.Millisecond
	c, err := Dial(context.Background(), "pipe", b.config(s))
	require.NoError(t, err)
	stop := make(chan struct{})
	wait := traffic(c, 4, stop)
	waitFor(t, "two re-authentications", func() bool { auths, _, _ := b.snapshot(); return len(auths) >= 3 })
	// Requests keep flowing after the last re-authentication too.
	_, _, answered := b.snapshot()
	waitFor(t, "requests after re-authenticating", func() bool { _, _, n := b.snapshot(); return n > answered+10 })
	close(stop)
	n, err := wait()
	require.NoError(t, err)
	require.NoError(t, c.Err())
	auths, violations, answered := b.snapshot()
	require.Empty(t, violations)
	require.Equal(t, int(n), answered, "every request answered reached its caller")
	// The client schedules from when it began the previous exchange, which
	// the broker sees later by up to the wait for requests in flight, so
	// the gaps the broker sees are only roughly 85% to 95% (reauthAt's
	// test checks the schedule itself); half the lifetime shows it waits.
	for i := 1; i < len(auths); i++ {
		gap := auths[i].at.Sub(auths[i-1].at)
		require.GreaterOrEqual(t, gap, 150*time.Millisecond, "re-authentication %d came only %v after the one before", i, gap)
	}
	c.Close()
	checkNoLeak(t, before)
	return auths
}

// An OAUTHBEARER session is renewed with a token fetched anew each time,
// on the same connection, while requests from several goroutines flow.
func TestReauthOAuthBearerFetchesNewToken(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	b := &authBroker{t: t, mechanism: "OAUTHBEARER", oauth: func(tok string) string {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, tok)
		return ""
	}}
	var calls atomic.Int32
	auths := reauthUnderLoad(t, b, &SASL{Mechanism: "OAUTHBEARER", TokenSource: func(context.Context) (string, error) {
		return fmt.Sprintf("token-%d", calls.Add(1)), nil
	}})
	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(seen), 3)
	for i, tok := range seen {
		require.Equal(t, fmt.Sprintf("token-%d", i+1), tok, "authentication %d used a fresh token", i)
	}
	require.Equal(t, "n,,\x01auth=Bearer token-2\x01\x01", string(auths[1].message))
}

func TestReauthPlain(t *testing.T) {
	b := &authBroker{t: t, mechanism: "PLAIN", user: "alice", pw: "s3cret"}
	reauthUnderLoad(t, b, &SASL{Mechanism: "PLAIN", Username: "alice", Password: "s3cret"})
}

func TestReauthScram(t *testing.T) {
	b := &authBroker{t: t, mechanism: "SCRAM-SHA-256", user: "bob", pw: "pw"}
	reauthUnderLoad(t, b, &SASL{Mechanism: "SCRAM-SHA-256", Username: "bob", Password: "pw"})
}

// When the token source fails at re-authentication time, the connection
// is broken with an error naming the cause, and later requests get it.
func TestReauthTokenSourceFailureBreaksConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	errIdP := errors.New("identity provider down")
	var calls atomic.Int32
	b := &authBroker{t: t, mechanism: "OAUTHBEARER", lifetime: 200 * time.Millisecond, oauth: func(string) string { return "" }}
	c, err := Dial(context.Background(), "pipe", b.config(&SASL{Mechanism: "OAUTHBEARER", TokenSource: func(context.Context) (string, error) {
		if calls.Add(1) > 1 {
			return "", errIdP
		}
		return "first", nil
	}}))
	require.NoError(t, err)
	waitFor(t, "the connection to break", func() bool { return c.Err() != nil })
	err = c.Err()
	require.ErrorIs(t, err, errIdP)
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "kafka: re-authenticating with broker pipe before its 200ms SASL session expires: kafka: SASL OAUTHBEARER token source failed: identity provider down")
	_, err = roundTrip(context.Background(), c)
	require.ErrorIs(t, err, errIdP)
	c.Close()
	checkNoLeak(t, before)
}

// A broker that refuses the re-authentication breaks the connection; the
// requests waiting for it fail with that error rather than being written.
func TestReauthRejectedBreaksConnection(t *testing.T) {
	b := &authBroker{t: t, mechanism: "PLAIN", user: "alice", pw: "pw", lifetime: 200 * time.Millisecond, delay: time.Millisecond,
		rejectAuth: func(n int) bool { return n == 2 }}
	c, err := Dial(context.Background(), "pipe", b.config(&SASL{Mechanism: "PLAIN", Username: "alice", Password: "pw"}))
	require.NoError(t, err)
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	wait := traffic(c, 3, stop)
	_, err = wait() // the workers stop at their first error
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "re-authenticating with broker pipe")
	require.ErrorContains(t, err, "Authentication failed: the test says no")
	_, violations, _ := b.snapshot()
	require.Empty(t, violations)
}

// Close stops a connection whose re-authentication is scheduled, and one
// whose token source is slow, promptly and without leaks.
func TestCloseStopsReauthentication(t *testing.T) {
	before := runtime.NumGoroutine()
	b := &authBroker{t: t, mechanism: "OAUTHBEARER", lifetime: time.Hour, oauth: func(string) string { return "" }}
	c, err := Dial(context.Background(), "pipe", b.config(&SASL{Mechanism: "OAUTHBEARER", TokenSource: staticToken("t")}))
	require.NoError(t, err)
	require.NotNil(t, c.reauthDone)
	c.Close()
	c.Close()
	checkNoLeak(t, before)

	inSource := make(chan struct{}, 1)
	var calls atomic.Int32
	b = &authBroker{t: t, mechanism: "OAUTHBEARER", lifetime: 100 * time.Millisecond, oauth: func(string) string { return "" }}
	c, err = Dial(context.Background(), "pipe", b.config(&SASL{Mechanism: "OAUTHBEARER", TokenSource: func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			return "t", nil
		}
		inSource <- struct{}{}
		<-ctx.Done() // an identity provider that does not answer
		return "", ctx.Err()
	}}))
	require.NoError(t, err)
	<-inSource
	start := time.Now()
	c.Close()
	require.Less(t, time.Since(start), 5*time.Second)
	checkNoLeak(t, before)
}
