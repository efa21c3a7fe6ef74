package kafkatest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kversion"
)

// An Option configures a [Cluster] made by [NewCluster], [MustCluster] or
// [Brokers].
type Option func(*config)

type config struct {
	brokers     int
	brokersSet  bool  // NumBrokers was given
	ports       []int // Ports, one per broker; 0 is a random port
	topics      []seedTopic
	defaultPart int
	autoCreate  bool
	sasl        []saslUser
	tls         *tls.Config
	versions    *kversion.Versions
	version     string // as given to Version, for StartProcess
	brokerCfgs  map[string]string
	logger      *slog.Logger
	latency     time.Duration // Latency
	dataDir     string        // DataDir
	errs        []error
}

type seedTopic struct {
	name       string
	partitions int
}

type saslUser struct {
	mechanism, user, password string
}

// The defaults of a new cluster.
const (
	// DefaultBrokers is the number of brokers a cluster has unless
	// [NumBrokers] says otherwise.
	DefaultBrokers = 3
	// DefaultNumPartitions is the partition count of auto-created topics
	// and of topics created with a partition count of 0 or less, unless
	// [DefaultPartitions] says otherwise. It is 1, like a stock Kafka
	// broker's num.partitions, so that tests behave the same against the
	// embedded cluster and the single-node Kafka of docker-compose.yml.
	DefaultNumPartitions = 1
)

func newConfig(opts []Option) *config {
	cfg := &config{brokers: DefaultBrokers, defaultPart: DefaultNumPartitions}
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	return cfg
}

func (cfg *config) errorf(format string, args ...any) {
	cfg.errs = append(cfg.errs, fmt.Errorf("kafkatest: "+format, args...))
}

// kfakeOpts turns the configuration into kfake options, or reports what is
// wrong with it.
func (cfg *config) kfakeOpts() ([]kfake.Opt, error) {
	if cfg.brokers < 1 {
		cfg.errorf("NumBrokers(%d): a cluster needs at least one broker", cfg.brokers)
	}
	if len(cfg.ports) > 0 {
		if cfg.brokersSet && cfg.brokers != len(cfg.ports) {
			cfg.errorf("NumBrokers(%d) and Ports with %d ports disagree: give one port per broker", cfg.brokers, len(cfg.ports))
		}
		cfg.brokers = len(cfg.ports)
	}
	if cfg.defaultPart < 1 {
		cfg.errorf("DefaultPartitions(%d): a topic needs at least one partition", cfg.defaultPart)
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(cfg.brokers),
		kfake.DefaultNumPartitions(cfg.defaultPart),
	}
	if len(cfg.ports) > 0 {
		opts = append(opts, kfake.Ports(cfg.ports...))
	}
	// A later Topic option for the same name wins, as documented.
	for _, t := range cfg.topics {
		opts = append(opts, kfake.SeedTopics(int32(t.partitions), t.name))
	}
	if cfg.autoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	if len(cfg.sasl) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range cfg.sasl {
			opts = append(opts, kfake.Superuser(u.mechanism, u.user, u.password))
		}
	}
	if cfg.tls != nil {
		opts = append(opts, kfake.TLS(cfg.tls))
	}
	if cfg.versions != nil {
		opts = append(opts, kfake.MaxVersions(cfg.versions))
	}
	if len(cfg.brokerCfgs) > 0 {
		opts = append(opts, kfake.BrokerConfigs(cfg.brokerCfgs))
	}
	if cfg.dataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.dataDir))
	}
	if cfg.logger != nil {
		opts = append(opts, kfake.WithLogger(slogLogger{cfg.logger}))
	}
	return opts, nil
}

// NumBrokers sets how many brokers the cluster starts with; the default is
// [DefaultBrokers] (3). Broker IDs are 0 to n-1.
//
// (The name is not Brokers because the package-level [Brokers] is the
// integration-test helper.)
func NumBrokers(n int) Option {
	return func(cfg *config) { cfg.brokers, cfg.brokersSet = n, true }
}

// Ports makes the brokers listen on 127.0.0.1 at fixed ports, one broker
// per port: broker i on ports[i], and as many brokers as ports (so
// [NumBrokers] is not needed; if given, it must agree). A port of 0 picks a
// random free one. Fixed ports let a person point other tools at the
// cluster, such as kafka-tools -b 127.0.0.1:9092; tests should keep the
// default random ports, which never collide. NewCluster fails if a port is
// taken.
func Ports(ports ...int) Option {
	return func(cfg *config) {
		if len(ports) == 0 {
			cfg.errorf("Ports: no ports given")
			return
		}
		seen := make(map[int]bool, len(ports))
		for _, p := range ports {
			if p < 0 || p > 65535 {
				cfg.errorf("Ports: %d is not a TCP port", p)
				return
			}
			if p != 0 && seen[p] {
				cfg.errorf("Ports: port %d given twice", p)
				return
			}
			seen[p] = true
		}
		cfg.ports = slices.Clone(ports)
	}
}

// Topic creates a topic when the cluster starts. A partition count of 0 or
// less means [DefaultPartitions]. Topic can be given several times; when a
// name repeats, the last partition count wins.
func Topic(name string, partitions int) Option {
	return func(cfg *config) {
		if name == "" {
			cfg.errorf("Topic: empty topic name")
			return
		}
		cfg.topics = append(cfg.topics, seedTopic{name, partitions})
	}
}

// DefaultPartitions sets the partition count of auto-created topics and of
// topics created with 0 or fewer partitions; the default is
// [DefaultNumPartitions] (1).
func DefaultPartitions(n int) Option {
	return func(cfg *config) { cfg.defaultPart = n }
}

// AutoCreateTopics lets a Metadata request create the topics it names when
// the request allows it, as auto.create.topics.enable does on a real broker.
// Without it, unknown topics stay unknown.
func AutoCreateTopics() Option {
	return func(cfg *config) { cfg.autoCreate = true }
}

// SASL mechanisms a cluster can authenticate with, for [SASLUser].
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// SASLUser adds a user that may authenticate with the given mechanism
// ([SASLPlain], [SASLScramSHA256] or [SASLScramSHA512]) and password, and
// turns SASL on: every connection must then authenticate before anything
// else. Give SASLUser several times for several users or mechanisms; a user
// can only authenticate with the mechanisms it was added with. Users may do
// anything once authenticated (there are no ACLs).
func SASLUser(mechanism, user, password string) Option {
	return func(cfg *config) {
		m := strings.ToUpper(mechanism)
		switch m {
		case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		default:
			cfg.errorf("SASLUser: unsupported mechanism %q (want %s, %s or %s)",
				mechanism, SASLPlain, SASLScramSHA256, SASLScramSHA512)
			return
		}
		if user == "" {
			cfg.errorf("SASLUser: empty user name")
			return
		}
		cfg.sasl = append(cfg.sasl, saslUser{m, user, password})
	}
}

// TLS makes every broker accept only TLS connections, using server as the
// listener's configuration (it must hold a certificate). [NewTLSConfigs]
// makes a matching server and client pair.
func TLS(server *tls.Config) Option {
	return func(cfg *config) {
		if server == nil {
			cfg.errorf("TLS: nil *tls.Config")
			return
		}
		cfg.tls = server
	}
}

var versionRE = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.\d+)?$`)

// Version makes the cluster behave like an older Apache Kafka release: its
// APIVersions answer advertises no more than that release's maximum version
// of each API and leaves out the APIs the release did not have, and a
// request above those versions, or for a missing API, closes the
// connection. v is "major.minor" with an optional ".patch", such as "0.11",
// "1.1", "2.8", "3.9" or "4.1".
//
// The oldest release a cluster can emulate is 0.11, because the brokers
// only store RecordBatch v2 (Produce v3 and later); NewCluster fails for an
// older or unknown release.
func Version(v string) Option {
	return func(cfg *config) {
		m := versionRE.FindStringSubmatch(strings.TrimSpace(v))
		if m == nil {
			cfg.errorf("Version(%q): want major.minor, like 3.9", v)
			return
		}
		name := m[1] + "." + m[2]
		if m[1] == "0" {
			name += ".0" // kversion names pre-1.0 releases 0.minor.patch
		}
		vs := kversion.FromString(name)
		if vs == nil {
			cfg.errorf("Version(%q): unknown Kafka release", v)
			return
		}
		if produce, ok := vs.LookupMaxKeyVersion(0); !ok || produce < 3 {
			cfg.errorf("Version(%q): releases before 0.11 cannot be emulated (no RecordBatch v2)", v)
			return
		}
		cfg.versions, cfg.version = vs, v
	}
}

// BrokerConfig sets a broker configuration entry when the cluster starts,
// as server.properties would. The fake brokers act on a subset of Kafka's
// keys, among them message.max.bytes, compression.type,
// log.retention.ms, log.retention.bytes, transaction.max.timeout.ms,
// group.consumer.heartbeat.interval.ms and
// group.consumer.session.timeout.ms; DescribeConfigs reports the others.
func BrokerConfig(key, value string) Option {
	return func(cfg *config) {
		if cfg.brokerCfgs == nil {
			cfg.brokerCfgs = make(map[string]string)
		}
		cfg.brokerCfgs[key] = value
	}
}

// Logger sends the brokers' own log lines to l. By default the cluster logs
// nothing. Debug level is verbose.
func Logger(l *slog.Logger) Option {
	return func(cfg *config) { cfg.logger = l }
}

// slogLogger adapts a *slog.Logger to kfake's Logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var lvl slog.Level
	switch level {
	case kfake.LogLevelNone:
		return
	case kfake.LogLevelError:
		lvl = slog.LevelError
	case kfake.LogLevelWarn:
		lvl = slog.LevelWarn
	case kfake.LogLevelInfo:
		lvl = slog.LevelInfo
	default:
		lvl = slog.LevelDebug
	}
	ctx := context.Background()
	if !s.l.Enabled(ctx, lvl) {
		return
	}
	s.l.Log(ctx, lvl, fmt.Sprintf(format, args...), slog.String("component", "kafkatest"))
}

// DataDir makes the brokers keep their logs in files under dir (created
// if needed) instead of in the process's memory, and reload what an
// earlier cluster left there. The operating system's page cache then
// holds the logs: for large volumes (benchmarks) that is several times
// faster than the default in-memory store, which grows each segment by
// copying, and so measures the client rather than the broker. Give each
// cluster a directory of its own, such as t.TempDir() (or one under
// /dev/shm). [StartProcess] passes it on to the cluster process.
func DataDir(dir string) Option {
	return func(cfg *config) { cfg.dataDir = dir }
}
