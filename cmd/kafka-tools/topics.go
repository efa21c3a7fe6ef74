package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gokafka/kafka"
)

func printTopics(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, _ []string) error {
		names, err := e.client.Topics(e.ctx)
		if err != nil {
			return err
		}
		type row struct {
			Topic             string `json:"topic"`
			Partitions        int    `json:"partitions"`
			ReplicationFactor int    `json:"replication_factor"`
		}
		rows := []row{}
		for _, name := range names {
			t, err := e.client.Topic(e.ctx, name)
			if err != nil {
				return err
			}
			parts := t.Partitions()
			rf := 0
			for _, p := range parts {
				rf = max(rf, len(p.Replicas))
			}
			rows = append(rows, row{name, len(parts), rf})
		}
		if e.global.json {
			return writeJSON(e.stdout, rows)
		}
		table := make([][]string, len(rows))
		for i, r := range rows {
			table[i] = []string{r.Topic, strconv.Itoa(r.Partitions), strconv.Itoa(r.ReplicationFactor)}
		}
		return writeTable(e.stdout, []string{"TOPIC", "PARTITIONS", "REPLICATION"}, table)
	}
}

// partitionJSON is one partition as desc_topic -json prints it.
type partitionJSON struct {
	Partition       int32   `json:"partition"`
	Leader          int32   `json:"leader"`
	LeaderEpoch     int32   `json:"leader_epoch"`
	Replicas        []int32 `json:"replicas"`
	ISR             []int32 `json:"isr"`
	OfflineReplicas []int32 `json:"offline_replicas"`
}

func descTopic(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		t, err := e.topic(args[0])
		if err != nil {
			return err
		}
		parts := t.Partitions()
		slices.SortFunc(parts, func(a, b kafka.Partition) int { return int(a.ID - b.ID) })
		if e.global.json {
			out := struct {
				Topic      string          `json:"topic"`
				Partitions []partitionJSON `json:"partitions"`
			}{Topic: t.Name(), Partitions: []partitionJSON{}}
			for _, p := range parts {
				out.Partitions = append(out.Partitions, partitionJSON{p.ID, p.Leader, p.LeaderEpoch,
					nonNil(p.Replicas), nonNil(p.ISR), nonNil(p.OfflineReplicas)})
			}
			return writeJSON(e.stdout, out)
		}
		rf, offline := 0, false
		for _, p := range parts {
			rf = max(rf, len(p.Replicas))
			offline = offline || len(p.OfflineReplicas) > 0
		}
		fmt.Fprintf(e.stdout, "Topic: %s\nPartitions: %d\nReplication factor: %d\n\n", t.Name(), len(parts), rf)
		header := []string{"PARTITION", "LEADER", "REPLICAS", "ISR"}
		if offline {
			header = append(header, "OFFLINE")
		}
		var rows [][]string
		for _, p := range parts {
			leader := strconv.Itoa(int(p.Leader))
			if p.Leader < 0 {
				leader = "none"
			}
			row := []string{strconv.Itoa(int(p.ID)), leader, ids(p.Replicas), ids(p.ISR)}
			if offline {
				row = append(row, ids(p.OfflineReplicas))
			}
			rows = append(rows, row)
		}
		return writeTable(e.stdout, header, rows)
	}
}

func nonNil(v []int32) []int32 {
	if v == nil {
		return []int32{}
	}
	return v
}

func createTopic(fs *flag.FlagSet) func(e *env, args []string) error {
	timeout := msFlag(fs, 5000, "how long the brokers may take, in `ms`", "t", "timeout")
	partitions := fs.Int("num_partitions", 0, "number of partitions (default: the brokers' num.partitions)")
	fs.IntVar(partitions, "p", 0, "number of partitions (default: the brokers' num.partitions)")
	replication := fs.Int("replication_factor", 0, "copies of each partition (default: the brokers' default.replication.factor)")
	fs.IntVar(replication, "r", 0, "copies of each partition (default: the brokers' default.replication.factor)")
	assignment := fs.String("replica_assignment", "", `JSON: {"0":[1,2],"1":[2,3]}, [[1,2],[2,3]] or pykafka's [[0,[1,2]],[1,[2,3]]]`)
	fs.StringVar(assignment, "a", "", `JSON: {"0":[1,2],"1":[2,3]}, [[1,2],[2,3]] or pykafka's [[0,[1,2]],[1,[2,3]]]`)
	configs := fs.String("config_entries", "", `JSON: {"retention.ms":"86400000"} or [["retention.ms","86400000"]]`)
	fs.StringVar(configs, "c", "", `JSON: {"retention.ms":"86400000"} or [["retention.ms","86400000"]]`)
	ifNotExists := fs.Bool("if_not_exists", false, "succeed when the topic already exists")
	validateOnly := fs.Bool("validate_only", false, "ask the brokers to check the request without creating the topic")
	return func(e *env, args []string) error {
		var tc kafka.TopicConfig
		var err error
		if *partitions < 0 || *partitions > 1<<31-1 {
			return usagef("--num_partitions %d: want a positive number", *partitions)
		}
		if *replication < 0 || *replication > 1<<15-1 {
			return usagef("--replication_factor %d: want a positive number", *replication)
		}
		tc.Partitions, tc.ReplicationFactor, tc.ValidateOnly = int32(*partitions), int16(*replication), *validateOnly
		if tc.Assignment, err = parseAssignment(*assignment); err != nil {
			return err
		}
		if tc.Configs, err = parseConfigEntries(*configs); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(e.ctx, timeout.d)
		defer cancel()
		err = e.client.CreateTopic(ctx, args[0], tc)
		existed := errors.Is(err, kafka.ErrTopicAlreadyExists) && *ifNotExists
		if err != nil && !existed {
			return err
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"topic": args[0], "created": !existed && !tc.ValidateOnly, "validate_only": tc.ValidateOnly})
		}
		switch {
		case existed:
			fmt.Fprintf(e.stdout, "topic %s already exists\n", args[0])
		case tc.ValidateOnly:
			fmt.Fprintf(e.stdout, "topic %s would be created\n", args[0])
		default:
			fmt.Fprintf(e.stdout, "created topic %s\n", args[0])
		}
		return nil
	}
}

func deleteTopic(fs *flag.FlagSet) func(e *env, args []string) error {
	timeout := msFlag(fs, 5000, "how long the brokers may take, in `ms`", "t", "timeout")
	ifExists := fs.Bool("if_exists", false, "succeed when the topic does not exist")
	return func(e *env, args []string) error {
		ctx, cancel := context.WithTimeout(e.ctx, timeout.d)
		defer cancel()
		err := e.client.DeleteTopic(ctx, args[0])
		missing := errors.Is(err, kafka.ErrUnknownTopicOrPartition) && *ifExists
		if err != nil && !missing {
			return err
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"topic": args[0], "deleted": !missing})
		}
		if missing {
			fmt.Fprintf(e.stdout, "topic %s does not exist\n", args[0])
		} else {
			fmt.Fprintf(e.stdout, "deleted topic %s\n", args[0])
		}
		return nil
	}
}

// millis is a flag given in milliseconds, as pykafka's were.
type millis struct{ d time.Duration }

func (m *millis) String() string { return strconv.FormatInt(m.d.Milliseconds(), 10) }

func (m *millis) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a number of milliseconds > 0")
	}
	m.d = time.Duration(n) * time.Millisecond
	return nil
}

func msFlag(fs *flag.FlagSet, def int64, usage string, names ...string) *millis {
	m := &millis{time.Duration(def) * time.Millisecond}
	for _, n := range names {
		fs.Var(m, n, usage)
	}
	return m
}

// parseAssignment reads --replica_assignment in any of its three forms.
func parseAssignment(s string) (map[int32][]int32, error) {
	if s == "" {
		return nil, nil
	}
	bad := usagef(`--replica_assignment %q: want {"0":[1,2]}, [[1,2]] or [[0,[1,2]]]`, s)
	var byKey map[string][]int32
	if json.Unmarshal([]byte(s), &byKey) == nil {
		out := make(map[int32][]int32, len(byKey))
		for k, v := range byKey {
			p, err := strconv.ParseInt(k, 10, 32)
			if err != nil || p < 0 || len(v) == 0 {
				return nil, bad
			}
			out[int32(p)] = v
		}
		return out, nil
	}
	var byIndex [][]int32
	if json.Unmarshal([]byte(s), &byIndex) == nil {
		out := make(map[int32][]int32, len(byIndex))
		for i, v := range byIndex {
			if len(v) == 0 {
				return nil, bad
			}
			out[int32(i)] = v
		}
		return out, nil
	}
	var pairs [][2]json.RawMessage
	if json.Unmarshal([]byte(s), &pairs) != nil {
		return nil, bad
	}
	out := make(map[int32][]int32, len(pairs))
	for _, pair := range pairs {
		var p int32
		var replicas []int32
		if json.Unmarshal(pair[0], &p) != nil || json.Unmarshal(pair[1], &replicas) != nil || p < 0 || len(replicas) == 0 {
			return nil, bad
		}
		out[p] = replicas
	}
	return out, nil
}

// parseConfigEntries reads --config_entries as an object or as pykafka's
// list of [name, value] pairs; values may be strings, numbers or booleans.
func parseConfigEntries(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	bad := usagef(`--config_entries %q: want {"name":"value"} or [["name","value"]]`, s)
	var obj map[string]json.RawMessage
	var pairs [][2]json.RawMessage
	out := make(map[string]string)
	switch {
	case json.Unmarshal([]byte(s), &obj) == nil:
		for k, v := range obj {
			val, ok := configValue(v)
			if !ok {
				return nil, bad
			}
			out[k] = val
		}
	case json.Unmarshal([]byte(s), &pairs) == nil:
		for _, pair := range pairs {
			var k string
			val, ok := configValue(pair[1])
			if json.Unmarshal(pair[0], &k) != nil || !ok {
				return nil, bad
			}
			out[k] = val
		}
	default:
		return nil, bad
	}
	return out, nil
}

func configValue(raw json.RawMessage) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case float64, bool:
		return string(raw), true
	}
	return "", false
}
