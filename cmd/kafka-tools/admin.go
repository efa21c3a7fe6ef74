package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gokafka/kafka"
)

// parseConfigResource reads the TYPE and NAME arguments of the config
// commands: topic NAME, broker ID (or none: the cluster-wide defaults),
// broker-logger ID, group NAME.
func parseConfigResource(args []string) (kafka.ConfigResource, error) {
	var r kafka.ConfigResource
	switch strings.ToLower(strings.ReplaceAll(args[0], "_", "-")) {
	case "topic":
		r.Type = kafka.ConfigTopic
	case "broker":
		r.Type = kafka.ConfigBroker
	case "broker-logger":
		r.Type = kafka.ConfigBrokerLogger
	case "group":
		r.Type = kafka.ConfigGroup
	default:
		return r, usagef("resource type %q: want topic, broker, broker-logger or group", args[0])
	}
	if len(args) > 1 {
		r.Name = args[1]
	}
	if r.Name == "" && r.Type != kafka.ConfigBroker {
		return r, usagef("a %s needs a name", r.Type)
	}
	if r.Type == kafka.ConfigBroker || r.Type == kafka.ConfigBrokerLogger {
		if _, err := strconv.ParseInt(r.Name, 10, 32); r.Name != "" && err != nil {
			return r, usagef("broker %q: want a broker ID", r.Name)
		}
	}
	return r, nil
}

func describeConfigs(fs *flag.FlagSet) func(e *env, args []string) error {
	nonDefault := fs.Bool("non_default", false, "print only the entries not at Kafka's default")
	return func(e *env, args []string) error {
		r, err := parseConfigResource(args)
		if err != nil {
			return err
		}
		got, err := e.client.DescribeConfigs(e.ctx, r)
		if err != nil {
			return err
		}
		type entry struct {
			Name      string `json:"name"`
			Value     string `json:"value"`
			Source    string `json:"source"`
			ReadOnly  bool   `json:"read_only"`
			Sensitive bool   `json:"sensitive"`
		}
		entries := []entry{}
		for _, rc := range got {
			for _, c := range rc.Entries {
				if *nonDefault && c.Default {
					continue
				}
				entries = append(entries, entry{c.Name, c.Value, c.Source.String(), c.ReadOnly, c.Sensitive})
			}
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"type": r.Type.String(), "name": r.Name, "configs": entries})
		}
		var table [][]string
		for _, c := range entries {
			v := c.Value
			if c.Sensitive {
				v = "(sensitive)"
			}
			table = append(table, []string{c.Name, orDash(v), c.Source, strconv.FormatBool(c.ReadOnly)})
		}
		return writeTable(e.stdout, []string{"NAME", "VALUE", "SOURCE", "READ-ONLY"}, table)
	}
}

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func alterConfigs(fs *flag.FlagSet) func(e *env, args []string) error {
	var set, del, add, sub listFlag
	fs.Var(&set, "set", "set an entry, `name=value` (repeatable)")
	fs.Var(&del, "delete", "remove an entry, back to its default, `name` (repeatable)")
	fs.Var(&add, "append", "add to a list entry, `name=value` (repeatable)")
	fs.Var(&sub, "subtract", "remove from a list entry, `name=value` (repeatable)")
	return func(e *env, args []string) error {
		r, err := parseConfigResource(args)
		if err != nil {
			return err
		}
		var ops []kafka.AlterConfigOp
		for _, group := range []struct {
			op   kafka.AlterConfigOpType
			vals listFlag
		}{{kafka.ConfigSet, set}, {kafka.ConfigAppend, add}, {kafka.ConfigSubtract, sub}} {
			for _, kv := range group.vals {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return usagef("--%s %q: want name=value", group.op, kv)
				}
				ops = append(ops, kafka.AlterConfigOp{Op: group.op, Name: k, Value: v})
			}
		}
		for _, k := range del {
			ops = append(ops, kafka.AlterConfigOp{Op: kafka.ConfigDelete, Name: k})
		}
		if len(ops) == 0 {
			return usagef("nothing to change: give --set, --delete, --append or --subtract")
		}
		if _, err := e.client.AlterConfigs(e.ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{r: ops}); err != nil {
			return err
		}
		if e.global.json {
			type change struct {
				Op    string `json:"op"`
				Name  string `json:"name"`
				Value string `json:"value,omitempty"`
			}
			changes := []change{}
			for _, op := range ops {
				changes = append(changes, change{op.Op.String(), op.Name, op.Value})
			}
			return writeJSON(e.stdout, map[string]any{"type": r.Type.String(), "name": r.Name, "changes": changes})
		}
		fmt.Fprintf(e.stdout, "applied %s to %s\n", count(len(ops), "config change"), r)
		return nil
	}
}

func deleteRecords(fs *flag.FlagSet) func(e *env, args []string) error {
	partitions := fs.String("partitions", "", "only these partitions, `0,1,...` (default: all)")
	return func(e *env, args []string) error {
		t, target, err := e.resolveOffsets(args[0], args[1], *partitions)
		if err != nil {
			return err
		}
		before := make(map[kafka.TopicPartition]int64, len(target))
		for p, o := range target {
			before[kafka.TopicPartition{Topic: t.Name(), Partition: p}] = o
		}
		res, err := e.client.DeleteRecords(e.ctx, before)
		type row struct {
			Partition    int32  `json:"partition"`
			LowWatermark int64  `json:"low_watermark"`
			Error        string `json:"error,omitempty"`
		}
		rows := []row{}
		for _, tp := range slices.SortedFunc(maps.Keys(res), func(a, b kafka.TopicPartition) int { return int(a.Partition - b.Partition) }) {
			r := row{Partition: tp.Partition, LowWatermark: res[tp].LowWatermark}
			if res[tp].Err != nil {
				r.Error = res[tp].Err.Error()
			}
			rows = append(rows, r)
		}
		if e.global.json {
			if werr := writeJSON(e.stdout, map[string]any{"topic": t.Name(), "partitions": rows}); werr != nil {
				return werr
			}
			return err
		}
		var table [][]string
		for _, r := range rows {
			table = append(table, []string{strconv.Itoa(int(r.Partition)), strconv.FormatInt(r.LowWatermark, 10), orDash(r.Error)})
		}
		if werr := writeTable(e.stdout, []string{"PARTITION", "LOW WATERMARK", "ERROR"}, table); werr != nil {
			return werr
		}
		return err
	}
}

func deleteGroup(fs *flag.FlagSet) func(e *env, args []string) error {
	topic := fs.String("topic", "", "delete only the group's offsets of this `topic` (the group may be live, but not consuming it)")
	partitions := fs.String("partitions", "", "with --topic: only these partitions, `0,1,...` (default: all)")
	return func(e *env, args []string) error {
		if *topic == "" {
			if *partitions != "" {
				return usagef("--partitions needs --topic")
			}
			res, err := e.client.DeleteGroups(e.ctx, args...)
			if e.global.json {
				out := map[string]any{}
				for g, gerr := range res {
					out[g] = errString(gerr)
				}
				if werr := writeJSON(e.stdout, map[string]any{"deleted": out}); werr != nil {
					return werr
				}
				return err
			}
			for _, g := range args {
				if res[g] == nil {
					fmt.Fprintf(e.stdout, "deleted group %s\n", g)
				}
			}
			return err
		}
		if len(args) != 1 {
			return usagef("--topic takes one group, not %d", len(args))
		}
		only, err := parsePartitions(*partitions)
		if err != nil {
			return err
		}
		t, err := e.topic(*topic)
		if err != nil {
			return err
		}
		var tps []kafka.TopicPartition
		for _, p := range t.Partitions() {
			if only == nil || slices.Contains(only, p.ID) {
				tps = append(tps, kafka.TopicPartition{Topic: t.Name(), Partition: p.ID})
			}
		}
		res, err := e.client.DeleteGroupOffsets(e.ctx, args[0], tps...)
		if e.global.json {
			out := map[string]any{}
			for tp, perr := range res {
				out[strconv.Itoa(int(tp.Partition))] = errString(perr)
			}
			if werr := writeJSON(e.stdout, map[string]any{"group": args[0], "topic": t.Name(), "partitions": out}); werr != nil {
				return werr
			}
			return err
		}
		n := 0
		for _, perr := range res {
			if perr == nil {
				n++
			}
		}
		fmt.Fprintf(e.stdout, "deleted the offsets of group %s on %s of %s\n", args[0], count(n, "partition"), t.Name())
		return err
	}
}

// errString is an error's message, or nil (null in JSON) for no error.
func errString(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

func describeCluster(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		d, err := e.client.DescribeCluster(e.ctx)
		if err != nil {
			return err
		}
		type broker struct {
			ID     int32  `json:"id"`
			Host   string `json:"host"`
			Port   int32  `json:"port"`
			Rack   string `json:"rack,omitempty"`
			Fenced bool   `json:"fenced"`
		}
		brokers := []broker{}
		for _, b := range d.Brokers {
			brokers = append(brokers, broker{b.ID, b.Host, b.Port, b.Rack, slices.Contains(d.Fenced, b.ID)})
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"cluster_id": d.ClusterID, "controller": d.ControllerID, "brokers": brokers})
		}
		fmt.Fprintf(e.stdout, "Cluster ID: %s\nController: %d\n\n", orDash(d.ClusterID), d.ControllerID)
		var table [][]string
		for _, b := range brokers {
			fenced := ""
			if b.Fenced {
				fenced = "fenced"
			}
			table = append(table, []string{strconv.Itoa(int(b.ID)), b.Host, strconv.Itoa(int(b.Port)), orDash(b.Rack), orDash(fenced)})
		}
		return writeTable(e.stdout, []string{"ID", "HOST", "PORT", "RACK", "STATE"}, table)
	}
}
