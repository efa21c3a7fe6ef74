// Command kafka-tools inspects and administers a Kafka cluster. It keeps
// the subcommands and arguments of pykafka's kafka-tools, adds produce,
// TLS, SASL and -json output, and exits with codes scripts can trust:
//
//	0  success
//	1  the operation failed (the cluster refused it, or could not be reached)
//	2  bad usage: unknown command or flag, missing or malformed argument
//	3  the named topic, partition or group does not exist
//	130 interrupted (Ctrl-C)
//
// Usage:
//
//	kafka-tools [global flags] <command> [arguments] [flags]
//
// Flags may come before or after the arguments; run `kafka-tools help` for
// the commands and `kafka-tools help <command>` for one command's flags.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/gokafka/kafka"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitNotFound    = 3
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// The first Ctrl-C asks the command to stop, which may still deliver
	// what it queued; a second one, with the default handler back, quits
	// at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// A command is one subcommand: its name, positional arguments (a synopsis
// and how many), a one-line summary, and setup, which defines the
// command's own flags on fs and returns what runs with the positional
// arguments once the flags are parsed.
type command struct {
	name             string
	args             string
	minArgs, maxArgs int
	summary          string
	setup            func(fs *flag.FlagSet) func(e *env, args []string) error
}

// commands lists the subcommands, pykafka's first, in its order.
var commands = []command{
	{"consume_topic", "TOPIC", 1, 1, "print messages of a topic (new ones by default)", consumeTopic},
	{"desc_topic", "TOPIC", 1, 1, "describe a topic's partitions: leader, replicas, ISR", descTopic},
	{"print_managed_consumer_groups", "[TOPIC]", 0, 1, "list consumer groups, classic and KIP-848 (those consuming TOPIC, if given)", printManagedConsumerGroups},
	{"print_consumer_lag", "TOPIC CONSUMER_GROUP", 2, 2, "print a group's lag on each partition of a topic", printConsumerLag},
	{"print_offsets", "TOPIC OFFSET", 2, 2, "print each partition's offset at EARLIEST, LATEST or a time", printOffsets},
	{"print_topics", "", 0, 0, "list topics with their partition counts and replication", printTopics},
	{"reset_offsets", "TOPIC CONSUMER_GROUP OFFSET", 3, 3, "commit new offsets for a group that has no members", resetOffsets},
	{"create_topic", "TOPIC", 1, 1, "create a topic", createTopic},
	{"delete_topic", "TOPIC", 1, 1, "delete a topic", deleteTopic},
	{"produce", "TOPIC", 1, 1, "send stdin's (or a file's) lines as messages", produce},
	{"describe_configs", "TYPE [NAME]", 1, 2, "print the configs of a topic, broker (no ID: cluster defaults), broker-logger or group", describeConfigs},
	{"alter_configs", "TYPE [NAME]", 1, 2, "change some configs (--set, --delete, --append, --subtract), leaving the others", alterConfigs},
	{"delete_records", "TOPIC OFFSET", 2, 2, "delete a topic's records before OFFSET (a number, EARLIEST, LATEST or a time)", deleteRecords},
	{"delete_group", "GROUP [GROUP...]", 1, 100, "delete groups without members, or (--topic) a group's offsets of a topic", deleteGroup},
	{"describe_cluster", "", 0, 0, "print the cluster ID, the controller and the brokers with their racks", describeCluster},
	{"acls", "list|create|delete", 1, 1, "list, create or delete ACLs, selected by the --resource_type ... --permission flags", acls},
	{"print_share_groups", "", 0, 0, "list share groups (KIP-932): state, members, partitions", printShareGroups},
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run is the whole program, minus the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	e.progress = isTerminal(stderr)
	e.global.setDefaults()

	fs := flag.NewFlagSet("kafka-tools", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.global.register(fs)
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "kafka-tools: %v\n\n", flagError(err, fs, args))
		writeUsage(stderr)
		return exitUsage
	}
	if *version {
		fmt.Fprintf(stdout, "kafka-tools (gokafka %s)\n", kafka.Version)
		return exitOK
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "kafka-tools: no command given")
		fmt.Fprintln(stderr)
		writeUsage(stderr)
		return exitUsage
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return help(rest, stdout, stderr)
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "kafka-tools: unknown command %q\n\n", name)
		writeUsage(stderr)
		return exitUsage
	}
	err := e.runCommand(cmd, rest)
	if errors.Is(err, flag.ErrHelp) {
		writeCommandUsage(stdout, cmd)
		return exitOK
	}
	code := exitCode(ctx, err)
	if code != exitOK {
		fmt.Fprintf(stderr, "kafka-tools %s: %s\n", cmd.name, describe(code, err))
		if code == exitUsage {
			fmt.Fprintf(stderr, "run 'kafka-tools help %s' for usage\n", cmd.name)
		}
	}
	return code
}

// exitCode maps an error to the exit code scripts can act on.
func exitCode(ctx context.Context, err error) int {
	var ue usageError
	var nf notFoundError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(ctx.Err(), context.Canceled):
		// Interrupted: whatever failed, failed because of it.
		return exitInterrupted
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &nf), errors.Is(err, kafka.ErrUnknownTopicOrPartition), errors.Is(err, kafka.ErrGroupIDNotFound):
		return exitNotFound
	}
	return exitFailed
}

// describe is the message for a command's error: the library's words,
// with command-line terms where it names a Go configuration field.
func describe(code int, err error) string {
	msg := err.Error()
	switch {
	case code == exitInterrupted:
		return "interrupted"
	case errors.Is(err, kafka.ErrNoAPIVersions):
		const cli = "the broker hung up on ApiVersions: a broker before 0.10 needs --broker_version 0.9.0 (or 0.8.2); " +
			"otherwise this is not a Kafka listener (check the address, and --tls)"
		// Without its "kafka: ", which an OpError trims from its cause.
		if sentinel := strings.TrimPrefix(kafka.ErrNoAPIVersions.Error(), "kafka: "); strings.Contains(msg, sentinel) {
			return strings.Replace(msg, sentinel, cli, 1)
		}
		return msg + " (" + cli + ")"
	}
	return msg
}

// usageError is bad input from the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// notFoundError names a topic or group that does not exist: exit code 3.
type notFoundError struct{ msg string }

func (e notFoundError) Error() string { return e.msg }

func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		writeUsage(stdout)
		return exitOK
	}
	cmd, ok := lookupCommand(args[0])
	if !ok {
		fmt.Fprintf(stderr, "kafka-tools: unknown command %q\n", args[0])
		return exitUsage
	}
	writeCommandUsage(stdout, cmd)
	return exitOK
}

func writeUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: kafka-tools [global flags] <command> [arguments] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-30s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "global flags (before or after the command):")
	fs := flag.NewFlagSet("kafka-tools", flag.ContinueOnError)
	var g globalFlags
	g.setDefaults()
	g.register(fs)
	printDefaults(w, fs)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exit codes: 0 ok, 1 failed, 2 bad usage, 3 topic or group not found, 130 interrupted")
}

func writeCommandUsage(w io.Writer, cmd command) {
	fmt.Fprintf(w, "usage: kafka-tools %s [flags]\n\n%s\n", strings.TrimSpace(cmd.name+" "+cmd.args), cmd.summary)
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.setup(fs)
	if hasFlags(fs) {
		fmt.Fprintln(w, "\nflags:")
		printDefaults(w, fs)
	}
	fmt.Fprintln(w, "\nand the global flags of 'kafka-tools help' (connection, TLS, SASL, --json, --progress).")
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printDefaults lists a flag set's flags, sorted, a flag's short and long
// names (defined with the same usage text) on one line.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	var order []string
	names := make(map[string][]string)
	flags := make(map[string]*flag.Flag)
	fs.VisitAll(func(f *flag.Flag) {
		if names[f.Usage] == nil {
			order = append(order, f.Usage)
		}
		names[f.Usage] = append(names[f.Usage], f.Name)
		if len(f.Name) > 1 || flags[f.Usage] == nil {
			flags[f.Usage] = f
		}
	})
	var lines []string
	for _, usage := range order {
		f := flags[usage]
		ns := names[usage]
		slices.SortFunc(ns, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
		for i, n := range ns {
			if len(n) == 1 {
				ns[i] = "-" + n
			} else {
				ns[i] = "--" + n
			}
		}
		metavar, text := flag.UnquoteUsage(f)
		line := "  " + strings.Join(ns, ", ")
		if metavar != "" {
			line += " " + metavar
		}
		line = fmt.Sprintf("%-34s %s", line, text)
		switch {
		case f.DefValue != "" && f.Name == "sasl_password":
			// Its default comes from $KAFKA_SASL_PASSWORD: say that it
			// is set, never what it is.
			line += " (default: set)"
		case f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "-1":
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, line)
	}
	slices.SortFunc(lines, func(a, b string) int {
		return cmp.Compare(strings.TrimLeft(strings.TrimSpace(a), "-"), strings.TrimLeft(strings.TrimSpace(b), "-"))
	})
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}
