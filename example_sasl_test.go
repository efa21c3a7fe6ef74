package kafka_test

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gokafka/kafka"
)

// cachedToken hands out a token until shortly before it expires, then asks
// the identity provider again: the client calls its TokenSource for every
// new connection and every re-authentication.
type cachedToken struct {
	mu      sync.Mutex
	token   string
	expires time.Time
	fetch   func(ctx context.Context) (token string, expires time.Time, err error)
}

func (c *cachedToken) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" || time.Until(c.expires) < time.Minute {
		tok, exp, err := c.fetch(ctx)
		if err != nil {
			return "", err
		}
		c.token, c.expires = tok, exp
	}
	return c.token, nil
}

// This example needs a broker with an OAUTHBEARER listener, so it is
// compiled but not run. The token source would usually run an OAuth 2
// client-credentials grant (golang.org/x/oauth2/clientcredentials, whose
// TokenSource caches too); here it reads a token a sidecar keeps fresh.
func ExampleSASL_oauthbearer() {
	source := &cachedToken{fetch: func(ctx context.Context) (string, time.Time, error) {
		b, err := os.ReadFile("/var/run/secrets/kafka/token")
		return strings.TrimSpace(string(b)), time.Now().Add(5 * time.Minute), err
	}}
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{
		Hosts: []string{"kafka1:9093"},
		TLS:   &tls.Config{}, // OAUTHBEARER sends the token as it is: use TLS
		SASL: &kafka.SASL{
			Mechanism:   kafka.SASLOAuthBearer,
			TokenSource: source.Token,
			Extensions:  map[string]string{"logicalCluster": "lkc-abc123"},
		},
	})
	var rejected *kafka.OAuthBearerError
	if errors.As(err, &rejected) {
		log.Fatalf("the broker refused the token (%s); its issuer is described at %s", rejected.Status, rejected.OpenIDConfiguration)
	}
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	// Connections re-authenticate with a fresh token before the broker's
	// session expires; nothing more to do.
}
