package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/gokafka/kafka"
)

func printOffsets(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		spec, err := parseOffsetSpec(args[1], false)
		if err != nil {
			return err
		}
		t, err := e.topic(args[0])
		if err != nil {
			return err
		}
		offsets, err := spec.resolve(e.ctx, t)
		if err != nil {
			return err
		}
		type row struct {
			Partition int32 `json:"partition"`
			Offset    int64 `json:"offset"`
		}
		rows := []row{}
		for _, p := range slices.Sorted(maps.Keys(offsets)) {
			rows = append(rows, row{p, offsets[p]})
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"topic": t.Name(), "at": spec.source, "partitions": rows})
		}
		var table [][]string
		for _, r := range rows {
			table = append(table, []string{strconv.Itoa(int(r.Partition)), strconv.FormatInt(r.Offset, 10)})
		}
		return writeTable(e.stdout, []string{"PARTITION", "OFFSET"}, table)
	}
}

// lagRow is one partition of print_consumer_lag. Committed and Lag are nil
// where the group has committed nothing.
type lagRow struct {
	Partition  int32  `json:"partition"`
	Latest     int64  `json:"latest_offset"`
	Committed  *int64 `json:"committed_offset"`
	Lag        *int64 `json:"lag"`
	MemberID   string `json:"member_id"`
	ClientID   string `json:"client_id"`
	ClientHost string `json:"client_host"`
}

func printConsumerLag(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		t, err := e.topic(args[0])
		if err != nil {
			return err
		}
		group := args[1]
		latest, err := t.LatestAvailableOffsets(e.ctx)
		if err != nil {
			return err
		}
		// GroupLag knows the group's commits and each partition's owner,
		// for classic and KIP-848 groups alike; this command keeps
		// pykafka's view of a partition without a commit: no lag.
		lags, err := e.client.GroupLag(e.ctx, group)
		if err != nil && !errors.Is(err, kafka.ErrGroupIDNotFound) {
			return err
		}
		known := false
		for tp, l := range lags {
			known = known || tp.Topic == t.Name() && (l.Committed >= 0 || l.MemberID != "")
		}
		if !known {
			return notFoundError{fmt.Sprintf("group %q has no members and no offsets committed for %s", group, t.Name())}
		}
		rows := []lagRow{}
		var total int64
		withOffsets := 0 // partitions with a committed offset, which alone have a lag
		for _, p := range slices.Sorted(maps.Keys(latest)) {
			r := lagRow{Partition: p, Latest: latest[p]}
			l, ok := lags[kafka.TopicPartition{Topic: t.Name(), Partition: p}]
			if ok && l.Committed >= 0 {
				c, lag := l.Committed, max(latest[p]-l.Committed, 0)
				r.Committed, r.Lag = &c, &lag
				total += lag
				withOffsets++
			}
			r.MemberID, r.ClientID, r.ClientHost = l.MemberID, l.ClientID, l.Host
			rows = append(rows, r)
		}
		var totalLag *int64 // null in JSON when no partition has a lag
		if withOffsets > 0 {
			totalLag = &total
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"topic": t.Name(), "group": group, "total_lag": totalLag, "partitions": rows})
		}
		dash := func(p *int64) string {
			if p == nil {
				return "-"
			}
			return strconv.FormatInt(*p, 10)
		}
		var table [][]string
		for _, r := range rows {
			table = append(table, []string{strconv.Itoa(int(r.Partition)), dash(r.Lag), strconv.FormatInt(r.Latest, 10),
				dash(r.Committed), orDash(r.MemberID), orDash(r.ClientID), orDash(r.ClientHost)})
		}
		err = writeTable(e.stdout, []string{"PARTITION", "LAG", "LATEST OFFSET", "CURRENT OFFSET", "CONSUMER ID", "CLIENT ID", "HOST"}, table)
		switch {
		case withOffsets == 0:
			fmt.Fprintln(e.stdout, "\nTotal lag: - (no committed offsets)")
		case withOffsets < len(rows):
			fmt.Fprintf(e.stdout, "\nTotal lag: %d (over the %d of %s with a committed offset)\n", total, withOffsets, count(len(rows), "partition"))
		default:
			fmt.Fprintf(e.stdout, "\nTotal lag: %d\n", total)
		}
		return err
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// resolveOffsets resolves an offset spec (as reset-offsets and
// delete-records take it) on topic's partitions, or only on those listed in
// partitions (`0,1,...`, "" for all), each of which must exist.
func (e *env) resolveOffsets(topic, spec, partitions string) (*kafka.Topic, map[int32]int64, error) {
	s, err := parseOffsetSpec(spec, true)
	if err != nil {
		return nil, nil, err
	}
	only, err := parsePartitions(partitions)
	if err != nil {
		return nil, nil, err
	}
	t, err := e.topic(topic)
	if err != nil {
		return nil, nil, err
	}
	target, err := s.resolve(e.ctx, t)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range only {
		if _, ok := target[p]; !ok {
			return nil, nil, notFoundError{fmt.Sprintf("topic %s has no partition %d", t.Name(), p)}
		}
	}
	if only != nil {
		maps.DeleteFunc(target, func(p int32, _ int64) bool { return !slices.Contains(only, p) })
	}
	return t, target, nil
}

func resetOffsets(fs *flag.FlagSet) func(e *env, args []string) error {
	partitions := fs.String("partitions", "", "reset only these partitions, `0,1,...` (default: all)")
	dryRun := fs.Bool("dry_run", false, "print what would be committed without committing")
	return func(e *env, args []string) error {
		t, target, err := e.resolveOffsets(args[0], args[2], *partitions)
		if err != nil {
			return err
		}
		group := args[1]
		previous, err := e.client.FetchGroupOffsets(e.ctx, group, t.Name())
		if err != nil {
			return err
		}
		if !*dryRun {
			err = e.client.CommitGroupOffsets(e.ctx, group, t.Name(), target)
			if errors.Is(err, kafka.ErrUnknownMemberID) || errors.Is(err, kafka.ErrIllegalGeneration) {
				return fmt.Errorf("group %q has active members; stop them before resetting its offsets: %w", group, err)
			}
			if err != nil {
				return err
			}
		}
		type row struct {
			Partition int32  `json:"partition"`
			Previous  *int64 `json:"previous_offset"`
			New       int64  `json:"new_offset"`
		}
		rows := []row{}
		for _, p := range slices.Sorted(maps.Keys(target)) {
			r := row{Partition: p, New: target[p]}
			if o, ok := previous[p]; ok {
				r.Previous = &o
			}
			rows = append(rows, r)
		}
		if e.global.json {
			return writeJSON(e.stdout, map[string]any{"topic": t.Name(), "group": group, "dry_run": *dryRun, "partitions": rows})
		}
		var table [][]string
		for _, r := range rows {
			prev := "-"
			if r.Previous != nil {
				prev = strconv.FormatInt(*r.Previous, 10)
			}
			table = append(table, []string{strconv.Itoa(int(r.Partition)), prev, strconv.FormatInt(r.New, 10)})
		}
		if err := writeTable(e.stdout, []string{"PARTITION", "PREVIOUS OFFSET", "NEW OFFSET"}, table); err != nil {
			return err
		}
		if *dryRun {
			fmt.Fprintln(e.stdout, "\ndry run: nothing committed")
		}
		return nil
	}
}
