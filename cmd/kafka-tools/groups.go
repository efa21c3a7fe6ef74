package main

import (
	"flag"
	"slices"
	"strconv"

	"github.com/gokafka/kafka"
)

func printManagedConsumerGroups(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		listed, err := e.client.ListGroups(e.ctx)
		if err != nil {
			return err
		}
		var names []string
		for _, g := range listed {
			names = append(names, g.GroupID)
		}
		type row struct {
			GroupID      string `json:"group_id"`
			State        string `json:"state"`
			Protocol     string `json:"protocol"`
			ProtocolType string `json:"protocol_type"`
			Members      int    `json:"members"`
			Type         string `json:"type"` // "classic" or "consumer" (KIP-848)
		}
		rows := []row{}
		if len(names) > 0 {
			descs, err := e.client.DescribeGroups(e.ctx, names...)
			if err != nil {
				return err
			}
			for _, d := range descs {
				// With a topic, pykafka listed the groups whose members
				// consume it; the assignments say so.
				if len(args) == 1 && !slices.ContainsFunc(d.Members, func(m kafka.GroupMember) bool { return m.Assignment[args[0]] != nil }) {
					continue
				}
				rows = append(rows, row{d.GroupID, d.State, d.Protocol, d.ProtocolType, len(d.Members), d.Type})
			}
		}
		if e.global.json {
			return writeJSON(e.stdout, rows)
		}
		var table [][]string
		for _, r := range rows {
			table = append(table, []string{r.GroupID, r.State, orDash(r.Protocol), orDash(r.ProtocolType), strconv.Itoa(r.Members), orDash(r.Type)})
		}
		return writeTable(e.stdout, []string{"GROUP", "STATE", "PROTOCOL", "PROTOCOL TYPE", "MEMBERS", "TYPE"}, table)
	}
}
