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

	// Rack is the rack (or availability zone) this client runs in, as the
	// brokers' broker.rack names them (KIP-392). When set, a broker whose
	// cluster has a replica selector may point consumers at a replica in
	// the same rack, and they fetch from it. Empty: always the leader.
	Rack string

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
		if err := cfg.SASL.validate(); err != nil {
			return cfg, nil, err
		}
	}
	if cfg.BrokerVersion != "" && !validRelease(cfg.BrokerVersion) {
		return cfg, nil, &ConfigError{Field: "BrokerVersion", Value: cfg.BrokerVersion,
			Reason: `want a Kafka release such as "0.9.0" or "3.9", or empty to ask each broker`}
	}
	seeds, err := parseHosts(cfg.Hosts)
	return cfg, seeds, err
}

// validRelease reports whether s looks like a Kafka release: two to four
// dot-separated numbers.
func validRelease(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return false
		}
	}
	return true
}

// A ConfigError is a [Config] field NewClient cannot use; nothing was sent
// to any broker.
type ConfigError struct {
	Field  string // the field's path in Config, e.g. "BrokerVersion" or "SASL.Mechanism"
	Value  string // the value given
	Reason string // what the field wants
}

// Error names the field, the value given, and what the field wants.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("kafka: Config.%s %q: %s", e.Field, e.Value, e.Reason)
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
				return nil, &ConfigError{Field: "Hosts", Value: s, Reason: "want host:port"}
			}
			seeds = append(seeds, net.JoinHostPort(host, port))
		}
	}
	if len(seeds) == 0 {
		return nil, &ConfigError{Field: "Hosts", Value: strings.Join(hosts, ","), Reason: `name at least one broker, e.g. "127.0.0.1:9092"`}
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
		cc.SASL = cfg.SASL.connSASL()
	}
	if cfg.SourceAddress != "" {
		addr, err := net.ResolveTCPAddr("tcp", cfg.SourceAddress)
		if err != nil {
			return cc, &ConfigError{Field: "SourceAddress", Value: cfg.SourceAddress, Reason: err.Error()}
		}
		cc.LocalAddr = addr
	}
	return cc, nil
}

// redacted stands for a secret in printed and logged configurations.
const redacted = "[REDACTED]"

// configView is what a printed Config shows: every field of Config, with the
// secrets replaced (SASL prints through its own redacting Format, TLS as a
// summary without keys). Its fields are exported so that fmt calls their
// methods.
type configView struct {
	Hosts                 []string
	ClientID              string
	Rack                  string
	BrokerVersion         string
	RequestTimeout        time.Duration
	DialTimeout           time.Duration
	SourceAddress         string
	TLS                   tlsSummary
	SASL                  *SASL
	MetadataMaxAge        time.Duration
	RetryBackoff          time.Duration
	MaxResponseSize       int32
	IncludeInternalTopics bool
	Logger                *slog.Logger
	Hooks                 []Hook
}

func (cfg Config) view() configView {
	return configView{
		Hosts: cfg.Hosts, ClientID: cfg.ClientID, Rack: cfg.Rack, BrokerVersion: cfg.BrokerVersion,
		RequestTimeout: cfg.RequestTimeout, DialTimeout: cfg.DialTimeout, SourceAddress: cfg.SourceAddress,
		TLS: tlsSummary{cfg.TLS}, SASL: cfg.SASL, MetadataMaxAge: cfg.MetadataMaxAge, RetryBackoff: cfg.RetryBackoff,
		MaxResponseSize: cfg.MaxResponseSize, IncludeInternalTopics: cfg.IncludeInternalTopics,
		Logger: cfg.Logger, Hooks: cfg.Hooks,
	}
}

// String shows the configuration with its fields named and its secrets
// (the SASL password, the TLS keys) left out, so that a Config can be
// printed or logged safely.
func (cfg Config) String() string { return "kafka.Config" + fmt.Sprintf("%+v", cfg.view()) }

// GoString is String in Go syntax, for %#v; secrets are left out.
func (cfg Config) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", cfg.view()), "kafka.configView", "kafka.Config", 1)
}

// Format makes every fmt verb print [Config.String] (%#v: GoString), so
// that no verb reaches the secrets.
func (cfg Config) Format(f fmt.State, verb rune) { formatRedacted(f, verb, cfg) }

// LogValue logs the configuration for log/slog with its secrets left out.
func (cfg Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Any("hosts", cfg.Hosts),
		slog.String("client_id", cfg.ClientID),
		slog.String("rack", cfg.Rack),
		slog.String("broker_version", cfg.BrokerVersion),
		slog.Duration("request_timeout", cfg.RequestTimeout),
		slog.Duration("dial_timeout", cfg.DialTimeout),
		slog.String("source_address", cfg.SourceAddress),
		slog.String("tls", tlsSummary{cfg.TLS}.String()),
	}
	if cfg.SASL != nil {
		attrs = append(attrs, slog.Any("sasl", cfg.SASL.LogValue()))
	}
	attrs = append(attrs,
		slog.Duration("metadata_max_age", cfg.MetadataMaxAge),
		slog.Duration("retry_backoff", cfg.RetryBackoff),
		slog.Int("max_response_size", int(cfg.MaxResponseSize)),
		slog.Bool("include_internal_topics", cfg.IncludeInternalTopics),
		slog.Int("hooks", len(cfg.Hooks)),
	)
	return slog.GroupValue(attrs...)
}

// formatRedacted prints v for any verb through its String, or GoString
// for %#v: fmt's own printing of the fields would show the secrets.
func formatRedacted(f fmt.State, verb rune, v interface {
	fmt.Stringer
	fmt.GoStringer
}) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, v.GoString())
		return
	}
	fmt.Fprint(f, v.String())
}

// tlsSummary prints a TLS configuration without its keys: whether it is
// set, the server name, whether verification is off, and how many client
// certificates it holds.
type tlsSummary struct{ c *tls.Config }

func (t tlsSummary) String() string {
	if t.c == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{ServerName:%s InsecureSkipVerify:%t Certificates:%d}", t.c.ServerName, t.c.InsecureSkipVerify, len(t.c.Certificates))
}

// GoString is String, for %#v: the keys stay out of Go syntax too.
func (t tlsSummary) GoString() string { return t.String() }

// Version is this library's version, sent to brokers in APIVersions.
const Version = "0.1.0"
