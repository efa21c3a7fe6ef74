package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// printShareGroups lists the share groups (KIP-932, Kafka 4.1+): state,
// members, and the partitions each member reads (several members may read
// one partition).
func printShareGroups(fs *flag.FlagSet) func(e *env, args []string) error {
	return func(e *env, args []string) error {
		groups, err := e.client.ShareGroups(e.ctx)
		if err != nil {
			return err
		}
		type member struct {
			MemberID   string             `json:"member_id"`
			ClientID   string             `json:"client_id"`
			ClientHost string             `json:"client_host"`
			Assignment map[string][]int32 `json:"assignment"`
		}
		type row struct {
			GroupID string   `json:"group_id"`
			State   string   `json:"state"`
			Epoch   int32    `json:"epoch"`
			Members []member `json:"members"`
		}
		rows := []row{}
		for _, g := range groups {
			r := row{GroupID: g.GroupID, State: g.State, Epoch: g.GroupEpoch, Members: []member{}}
			for _, m := range g.Members {
				r.Members = append(r.Members, member{m.MemberID, m.ClientID, m.ClientHost, m.Assignment})
			}
			rows = append(rows, r)
		}
		if e.global.json {
			return writeJSON(e.stdout, rows)
		}
		var table [][]string
		for _, r := range rows {
			parts := map[string]bool{}
			for _, m := range r.Members {
				for topic, ps := range m.Assignment {
					for _, p := range ps {
						parts[fmt.Sprintf("%s[%d]", topic, p)] = true
					}
				}
			}
			table = append(table, []string{r.GroupID, r.State, strconv.Itoa(len(r.Members)), orDash(strings.Join(slices.Sorted(maps.Keys(parts)), ","))})
		}
		return writeTable(e.stdout, []string{"GROUP", "STATE", "MEMBERS", "PARTITIONS"}, table)
	}
}
