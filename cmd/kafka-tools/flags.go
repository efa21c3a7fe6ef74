package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gokafka/kafka"
)

// globalFlags are the connection and output flags every command takes.
type globalFlags struct {
	brokers       string
	brokerVersion string
	clientID      string
	timeout       time.Duration
	json          bool
	progress      bool

	tls           bool
	tlsCA         string
	tlsCert       string
	tlsKey        string
	tlsServerName string
	tlsInsecure   bool

	saslMechanism string
	saslUsername  string
	saslPassword  string
}

// setDefaults sets the defaults, some from the environment: KAFKA_BROKERS
// (as the integration tests use it) and KAFKA_SASL_PASSWORD (so that a
// password need not show in the process list).
func (g *globalFlags) setDefaults() {
	*g = globalFlags{brokers: "localhost:9092", clientID: "kafka-tools", timeout: 30 * time.Second}
	if v := os.Getenv("KAFKA_BROKERS"); v != "" {
		g.brokers = v
	}
	g.saslPassword = os.Getenv("KAFKA_SASL_PASSWORD")
}

// register defines the global flags on fs, with their current values as
// defaults, skipping names the command already uses for its own flags.
// pykafka's -o meant --broker_version before the command and --outfile
// after consume_topic; since flags may come anywhere here, -o is only
// --outfile, and the broker version is --broker_version alone.
func (g *globalFlags) register(fs *flag.FlagSet) {
	str := func(p *string, usage string, names ...string) {
		for _, n := range names {
			if fs.Lookup(n) == nil {
				fs.StringVar(p, n, *p, usage)
			}
		}
	}
	boolean := func(p *bool, usage string, names ...string) {
		for _, n := range names {
			if fs.Lookup(n) == nil {
				fs.BoolVar(p, n, *p, usage)
			}
		}
	}
	str(&g.brokers, "seed brokers, comma-separated `host:port`s ($KAFKA_BROKERS)", "b", "broker")
	str(&g.brokerVersion, "pin protocol versions for brokers without ApiVersions (`0.8.2`, 0.9.0); empty: ask the broker", "broker_version")
	str(&g.clientID, "client ID the brokers log", "client_id")
	fs.DurationVar(&g.timeout, "request_timeout", g.timeout, "how long one request to a broker, or connecting to one, may take")
	boolean(&g.json, "print JSON for scripts instead of tables", "json")
	boolean(&g.progress, "print a progress line on stderr (default: when stderr is a terminal)", "progress")
	boolean(&g.tls, "connect with TLS", "tls")
	str(&g.tlsCA, "PEM `file` of CAs to verify brokers with (implies --tls; default: the system's)", "tls_ca")
	str(&g.tlsCert, "PEM `file` of a client certificate (implies --tls; needs --tls_key)", "tls_cert")
	str(&g.tlsKey, "PEM `file` of the client certificate's key", "tls_key")
	str(&g.tlsServerName, "the `name` to verify brokers' certificates against (default: the host dialled)", "tls_server_name")
	boolean(&g.tlsInsecure, "do not verify brokers' certificates (testing only)", "tls_insecure")
	str(&g.saslMechanism, "SASL `mechanism`: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", "sasl_mechanism")
	str(&g.saslUsername, "SASL `user`", "sasl_username")
	str(&g.saslPassword, "SASL `password` ($KAFKA_SASL_PASSWORD)", "sasl_password")
}

// config turns the flags into a client configuration; bad flag values are
// usage errors.
func (g *globalFlags) config() (kafka.Config, error) {
	cfg := kafka.Config{
		Hosts:          strings.Split(g.brokers, ","),
		BrokerVersion:  g.brokerVersion,
		ClientID:       g.clientID,
		RequestTimeout: g.timeout,
		// A broker that accepts the connection but never answers must
		// not hold the tool longer than the flag says.
		DialTimeout: g.timeout,
	}
	if g.timeout <= 0 {
		return cfg, usagef("--request_timeout %v: want a positive duration such as 30s", g.timeout)
	}
	if g.tls || g.tlsCA != "" || g.tlsCert != "" || g.tlsInsecure || g.tlsServerName != "" {
		tc := &tls.Config{ServerName: g.tlsServerName, InsecureSkipVerify: g.tlsInsecure}
		if g.tlsCA != "" {
			pem, err := os.ReadFile(g.tlsCA)
			if err != nil {
				return cfg, usagef("--tls_ca: %v", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return cfg, usagef("--tls_ca: no PEM certificate in %s", g.tlsCA)
			}
		}
		if (g.tlsCert == "") != (g.tlsKey == "") {
			return cfg, usagef("--tls_cert and --tls_key go together")
		}
		if g.tlsCert != "" {
			cert, err := tls.LoadX509KeyPair(g.tlsCert, g.tlsKey)
			if err != nil {
				return cfg, usagef("--tls_cert/--tls_key: %v", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		cfg.TLS = tc
	}
	if g.saslMechanism != "" || g.saslUsername != "" {
		mech := strings.ToUpper(g.saslMechanism)
		switch mech {
		case kafka.SASLPlain, kafka.SASLScramSHA256, kafka.SASLScramSHA512:
		case "":
			return cfg, usagef("--sasl_username needs --sasl_mechanism")
		default:
			return cfg, usagef("--sasl_mechanism %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", g.saslMechanism)
		}
		if g.saslUsername == "" {
			return cfg, usagef("--sasl_mechanism needs --sasl_username")
		}
		cfg.SASL = &kafka.SASL{Mechanism: mech, Username: g.saslUsername, Password: g.saslPassword}
	}
	return cfg, nil
}

// env is what a command runs with: the streams, the parsed global flags and,
// once connected, the client.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	progress       bool // stderr is a terminal
	global         globalFlags
	client         *kafka.Client
}

// parsedCommand is a command's flag set and what runs once it is parsed.
type parsedCommand struct {
	fs  *flag.FlagSet
	run func(e *env, args []string) error
}

// commandFlags defines cmd's own flags and then the global ones on a new
// flag set.
func commandFlags(cmd command, g *globalFlags) parsedCommand {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := cmd.setup(fs)
	g.register(fs)
	return parsedCommand{fs, run}
}

// runCommand parses cmd's flags and arguments, connects, and runs it.
func (e *env) runCommand(cmd command, args []string) error {
	pc := commandFlags(cmd, &e.global)
	pos, err := parseInterspersed(pc.fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{flagError(err, pc.fs, args).Error()}
	}
	if len(pos) < cmd.minArgs || len(pos) > cmd.maxArgs {
		if len(pos) < cmd.minArgs {
			return usagef("missing arguments: want %s", cmd.args)
		}
		return usagef("too many arguments %q: want %s", pos[cmd.maxArgs:], cmd.args)
	}
	cfg, err := e.global.config()
	if err != nil {
		return err
	}
	e.progress = e.progress || e.global.progress
	e.client, err = kafka.NewClient(e.ctx, cfg)
	var ce *kafka.ConfigError
	if errors.As(err, &ce) {
		return usagef("%s %q: %s", configFlag(ce.Field), ce.Value, ce.Reason)
	}
	if err != nil {
		return err
	}
	defer e.client.Close()
	return pc.run(e, pos)
}

// configFlag names the flag that sets a kafka.Config field, for errors.
func configFlag(field string) string {
	switch field {
	case "Hosts":
		return "--broker"
	case "BrokerVersion":
		return "--broker_version"
	case "SASL.Mechanism":
		return "--sasl_mechanism"
	}
	return "Config." + field
}

// flagErrorRE finds the flag name in the flag package's errors, which
// always write it with one dash.
var flagErrorRE = regexp.MustCompile(`^(flag provided but not defined: |invalid value "(?:[^"\\]|\\.)*" for flag |invalid boolean value "(?:[^"\\]|\\.)*" for |flag needs an argument: )-([^\s:=]+)(: parse error)?`)

// flagError rewrites a flag parsing error so that it shows the flag as it
// was typed (--request_timeout, not -request_timeout), says what a value
// should look like instead of "parse error", and explains a -o outside
// consume_topic.
func flagError(err error, fs *flag.FlagSet, args []string) error {
	m := flagErrorRE.FindStringSubmatchIndex(err.Error())
	if m == nil {
		return err
	}
	msg := err.Error()
	name := msg[m[4]:m[5]]
	typed := "-" + name
	for _, a := range args {
		if a == "--" {
			break
		}
		if n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); n == name && strings.HasPrefix(a, "-") {
			typed, _, _ = strings.Cut(a, "=")
			break
		}
	}
	out := msg[:m[4]-1] + typed
	if m[6] >= 0 { // ": parse error"
		out += ": " + wantFor(fs.Lookup(name))
	}
	out += msg[m[1]:]
	if name == "o" && fs.Lookup("o") == nil {
		out += " (-o is consume_topic's --outfile; the broker version is --broker_version)"
	}
	return errors.New(out)
}

// wantFor says what kind of value f takes.
func wantFor(f *flag.Flag) string {
	if f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case time.Duration:
				return "want a duration such as 30s or 500ms"
			case int, int64, uint, uint64:
				return "want a whole number"
			case float64:
				return "want a number"
			case bool:
				return "want true or false"
			}
		}
	}
	return "malformed value"
}

// parseInterspersed parses flags wherever they are among the positional
// arguments, as pykafka's argparse did; after "--" everything is
// positional (a topic may start with a dash).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// offsetSpec is a position given on the command line: EARLIEST, LATEST, a
// time, or (where allowed) an exact offset.
type offsetSpec struct {
	kind   kafka.OffsetType // OffsetEarliest or OffsetLatest, or 0 for at/exact
	at     time.Time        // set for a time
	exact  int64            // set for an exact offset, when at is zero
	source string
}

// timeLayouts are the times an offset may be given as: pykafka's
// YYYY-MM-DDTHH:MM:SS (UTC), with a zone, or a date (midnight UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseOffsetSpec reads an offset argument; exact offsets are accepted only
// when allowExact is set.
func parseOffsetSpec(s string, allowExact bool) (offsetSpec, error) {
	spec := offsetSpec{source: s}
	switch strings.ToUpper(s) {
	case "EARLIEST":
		spec.kind = kafka.OffsetEarliest
		return spec, nil
	case "LATEST":
		spec.kind = kafka.OffsetLatest
		return spec, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			spec.at = t
			return spec, nil
		}
	}
	if allowExact {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			spec.exact = n
			return spec, nil
		}
		return spec, usagef("offset %q: want EARLIEST, LATEST, a time (2006-01-02T15:04:05, UTC) or an offset >= 0", s)
	}
	return spec, usagef("offset %q: want EARLIEST, LATEST or a time (2006-01-02T15:04:05, UTC)", s)
}

// resolve returns the offset spec names for each partition of topic.
func (s offsetSpec) resolve(ctx context.Context, topic *kafka.Topic) (map[int32]int64, error) {
	switch {
	case s.kind == kafka.OffsetEarliest:
		return topic.EarliestAvailableOffsets(ctx)
	case s.kind == kafka.OffsetLatest:
		return topic.LatestAvailableOffsets(ctx)
	case !s.at.IsZero():
		return topic.OffsetsForTime(ctx, s.at)
	}
	out := make(map[int32]int64)
	for _, p := range topic.Partitions() {
		out[p.ID] = s.exact
	}
	return out, nil
}

// parsePartitions reads a comma-separated list of partition IDs; "" is nil.
func parsePartitions(s string) ([]int32, error) {
	if s == "" {
		return nil, nil
	}
	var out []int32
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || n < 0 {
			return nil, usagef("partition %q: want a partition number >= 0", f)
		}
		out = append(out, int32(n))
	}
	return out, nil
}

// topic returns the named topic, or a not-found error when the cluster
// does not have it. It checks the topic list first, so that describing a
// topic never creates it on a broker that auto-creates topics.
func (e *env) topic(name string) (*kafka.Topic, error) {
	names, err := e.client.Topics(e.ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == name {
			return e.client.Topic(e.ctx, name)
		}
	}
	return nil, notFoundError{fmt.Sprintf("topic %q does not exist", name)}
}

// isTerminal reports whether w is a terminal, where progress lines help
// rather than litter.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
