package kafka

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gokafka/kafka/internal/conn"
)

// Config configures a [Client]. Its zero value, with Hosts set, is ready to
// use; each field documents its default and the pykafka KafkaClient keyword
// it stands for.
type Config struct {
	// Hosts are the seed brokers, "host:port" each (port 9092 when left
	// out). An entry may itself be a comma-separated list, as pykafka's
	// hosts string was. Only one needs to answer: the others are learnt from
	// it.
	Hosts []string

	// ClientID names this client in broker logs and quotas. Default
	// "gokafka".
	ClientID string

	// BrokerVersion pins the protocol versions for brokers too old to
	// answer APIVersions ("0.8.2", "0.9.0"), as pykafka's broker_version
	// did. Empty (the default) asks each broker what it supports, which is
	// right for every broker since 0.10; unlike pykafka, a wrong value
	// cannot silently garble messages on newer brokers.
	BrokerVersion string

	// RequestTimeout bounds each request to a broker, on top of the time a
	// request legitimately waits at the broker (a fetch's FetchWaitMax, a
	// produce's AckTimeout); a broker that does not answer in time has its
	// connection closed and the request fails with ErrSocketDisconnected.
	// pykafka's socket_timeout_ms. Default 30s.
	RequestTimeout time.Duration

	// DialTimeout bounds connecting to a broker, TLS and SASL included.
	// Default 10s.
	DialTimeout time.Duration

	// SourceAddress is the local "host:port" (either may be empty) to
	// connect from, pykafka's source_address. Default: chosen by the OS.
	SourceAddress string

	// TLS, when set, encrypts every connection. The broker's certificate
	// and hostname are verified unless the config says otherwise
	// (pykafka's SslConfig turned hostname checks off).
	TLS *tls.Config

	// SASL, when set, authenticates every connection.
	SASL *SASL

	// MetadataMaxAge is how often the cluster's metadata is refreshed even
	// when nothing went wrong. Default 5 minutes.
	MetadataMaxAge time.Duration

	// RetryBackoff is the first wait between retries of a request that
	// failed with a retriable error, and between reconnects to a broker;
	// it doubles on each attempt, with jitter, up to 20 times its value.
	// Default 100ms.
	RetryBackoff time.Duration

	// MaxResponseSize caps the size of a response the client accepts.
	// Default 100 MiB.
	MaxResponseSize int32

	// IncludeInternalTopics lists and hands out topics Kafka keeps for
	// itself (__consumer_offsets, __transaction_state). pykafka's
	// exclude_internal_topics=True is the default: they are hidden.
	IncludeInternalTopics bool

	// Logger receives the client's logs; nil is silent.
	Logger *slog.Logger

	// Hooks receive metrics events; each may implement any of the hook
	// interfaces ([BrokerConnectHook], [BrokerRequestHook], ...).
	Hooks []Hook
}

// SASL configures authentication with a username and password.
type SASL struct {
	// Mechanism is one of "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512".
	Mechanism string
	Username  string
	Password  string
}

// SASL mechanisms for [SASL.Mechanism].
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

const (
	defaultClientID       = "gokafka"
	defaultRequestTimeout = 30 * time.Second
	defaultDialTimeout    = 10 * time.Second
	defaultMetadataMaxAge = 5 * time.Minute
	defaultRetryBackoff   = 100 * time.Millisecond
	defaultPort           = "9092"
)

// withDefaults returns cfg with zero fields set to their defaults, and
// its seed addresses parsed.
func (cfg Config) withDefaults() (Config, []string, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = defaultClientID
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.MetadataMaxAge <= 0 {
		cfg.MetadataMaxAge = defaultMetadataMaxAge
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = defaultRetryBackoff
	}
	if cfg.SASL != nil {
		switch cfg.SASL.Mechanism {
		case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		default:
			return cfg, nil, fmt.Errorf("kafka: Config.SASL.Mechanism %q: want %q, %q or %q", cfg.SASL.Mechanism, SASLPlain, SASLScramSHA256, SASLScramSHA512)
		}
	}
	seeds, err := parseHosts(cfg.Hosts)
	return cfg, seeds, err
}

// parseHosts splits and checks the seed list.
func parseHosts(hosts []string) ([]string, error) {
	var seeds []string
	for _, h := range hosts {
		for _, s := range strings.Split(h, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			host, port, err := net.SplitHostPort(s)
			if err != nil {
				// "host" alone, or an IPv6 literal without a port.
				host, port = strings.Trim(s, "[]"), defaultPort
			}
			if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 || host == "" {
				return nil, fmt.Errorf("kafka: Config.Hosts entry %q: want host:port", s)
			}
			seeds = append(seeds, net.JoinHostPort(host, port))
		}
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("kafka: Config.Hosts is empty: name at least one broker, e.g. \"127.0.0.1:9092\"")
	}
	return seeds, nil
}

// connConfig is what every broker connection is opened with.
func (cfg Config) connConfig() (conn.Config, error) {
	cc := conn.Config{
		ClientID:        cfg.ClientID,
		DialTimeout:     cfg.DialTimeout,
		TLS:             cfg.TLS,
		MaxResponseSize: cfg.MaxResponseSize,
		BrokerVersion:   cfg.BrokerVersion,
		SoftwareName:    "gokafka",
		SoftwareVersion: Version,
		Logger:          cfg.Logger,
	}
	if cfg.SASL != nil {
		cc.SASL = &conn.SASL{Mechanism: cfg.SASL.Mechanism, Username: cfg.SASL.Username, Password: cfg.SASL.Password}
	}
	if cfg.SourceAddress != "" {
		addr, err := net.ResolveTCPAddr("tcp", cfg.SourceAddress)
		if err != nil {
			return cc, fmt.Errorf("kafka: Config.SourceAddress %q: %w", cfg.SourceAddress, err)
		}
		cc.LocalAddr = addr
	}
	return cc, nil
}

// Version is this library's version, sent to brokers in APIVersions.
const Version = "0.1.0"
