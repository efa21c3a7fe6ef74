package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestPrintShareGroups(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "share groups (KIP-932)", kafkatest.Topic("tools-share", 2))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := kafka.NewClient(ctx, kafka.Config{Hosts: cl.Addrs()})
	require.NoError(t, err)
	defer c.Close()
	sc, err := c.ShareConsumer(ctx, kafka.ShareConsumerConfig{Group: "tools-sg", Topics: []string{"tools-share"}})
	require.NoError(t, err)
	defer sc.Close()

	var rows []struct {
		GroupID string `json:"group_id"`
		State   string `json:"state"`
		Members []struct {
			MemberID   string             `json:"member_id"`
			Assignment map[string][]int32 `json:"assignment"`
		} `json:"members"`
	}
	require.Eventually(t, func() bool {
		r := tool(t, cl.Addrs(), "", "-json", "print_share_groups")
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil {
			return false
		}
		return len(rows) == 1 && len(rows[0].Members) == 1 && len(rows[0].Members[0].Assignment["tools-share"]) == 2
	}, 15*time.Second, 100*time.Millisecond)
	require.Equal(t, "tools-sg", rows[0].GroupID)
	require.Equal(t, sc.MemberID(), rows[0].Members[0].MemberID)

	r := tool(t, cl.Addrs(), "", "print_share_groups")
	require.Zero(t, r.code, r.stderr)
	require.Contains(t, r.stdout, "tools-sg")
	require.Contains(t, r.stdout, "tools-share[0],tools-share[1]")
}
