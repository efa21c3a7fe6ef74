package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// Share-group membership (KIP-932): ShareGroupHeartbeat to the group
// coordinator joins (epoch 0, with the subscription), keeps the member alive
// and brings its assignment; epoch -1 leaves. Unlike KIP-848 there is
// nothing to revoke: a share group's partitions are not owned, so a new
// assignment simply replaces the old one.

// heartbeat sends one heartbeat and applies its answer; it returns the
// interval the coordinator asks for.
func (sc *ShareConsumer) heartbeat(ctx context.Context) (time.Duration, error) {
	sc.mu.Lock()
	epoch := sc.memberEpoch
	sc.mu.Unlock()
	req := &protocol.ShareGroupHeartbeatRequest{GroupID: sc.cfg.Group, MemberID: sc.memberID, MemberEpoch: epoch}
	if epoch == 0 {
		// Sent when joining; later heartbeats leave it null (unchanged).
		req.SubscribedTopicNames = sc.cfg.Topics
		if sc.cfg.RackID != "" {
			req.RackID = &sc.cfg.RackID
		}
	}
	var resp protocol.ShareGroupHeartbeatResponse
	err := sc.c.shareCoordinatorCall(ctx, sc.cfg.Group, req, &resp, func() error {
		return messageError(resp.ErrorCode, resp.ErrorMessage)
	})
	if errors.Is(err, ErrUnknownMemberID) || errors.Is(err, ErrFencedMemberEpoch) {
		// The coordinator dropped the member (it missed its session
		// timeout): join again, with the same ID.
		sc.mu.Lock()
		sc.memberEpoch = 0
		sc.mu.Unlock()
		sc.c.log.Info("kafka: share consumer rejoining", "group", sc.cfg.Group, "member", sc.memberID, "err", err)
		return time.Millisecond, nil
	}
	if err != nil {
		return 0, err
	}
	sc.mu.Lock()
	sc.memberEpoch = resp.MemberEpoch
	if resp.Assignment != nil {
		sc.assigned = map[shareTP]bool{}
		for _, t := range resp.Assignment.TopicPartitions {
			for _, p := range t.Partitions {
				sc.assigned[shareTP{t.TopicID, p}] = true
			}
		}
	}
	sc.mu.Unlock()
	sc.route(ctx)
	interval := time.Duration(resp.HeartbeatIntervalMs) * time.Millisecond
	return max(interval, 100*time.Millisecond), nil
}

// heartbeatLoop heartbeats until the consumer stops. An error that retries
// cannot cure ends the membership: Consume reports it.
func (sc *ShareConsumer) heartbeatLoop(interval time.Duration) {
	defer sc.wg.Done()
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-sc.stop:
			return
		case <-sc.ctx.Done():
			return
		case <-t.C:
		}
		next, err := sc.heartbeat(sc.ctx)
		if err != nil {
			if sc.ctx.Err() != nil {
				return
			}
			if IsRetriable(err) {
				next = time.Second
			} else {
				sc.mu.Lock()
				sc.fatal = err
				close(sc.ready)
				sc.ready = make(chan struct{})
				sc.mu.Unlock()
				return
			}
		}
		t.Reset(next)
	}
}

// route gives each assigned partition to the session of its leader,
// starting sessions for new leaders. Partitions whose topic ID or leader is
// not known yet are left out until the metadata knows them.
func (sc *ShareConsumer) route(ctx context.Context) {
	m := sc.c.meta.Load()
	names := map[protocol.UUID]*topicMeta{}
	for _, tm := range m.topics {
		names[tm.id] = tm
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closing || sc.killed {
		return
	}
	want := map[int32]map[shareTP]string{}
	unknown := false
	for tp := range sc.assigned {
		tm := names[tp.id]
		if tm == nil {
			unknown = true
			continue
		}
		p, ok := tm.partition(tp.partition)
		if !ok || p.Leader < 0 {
			unknown = true
			continue
		}
		if want[p.Leader] == nil {
			want[p.Leader] = map[shareTP]string{}
		}
		want[p.Leader][tp] = tm.name
	}
	for id, s := range sc.sessions {
		s.want = want[id]
		s.signal()
	}
	for id, tps := range want {
		if sc.sessions[id] != nil {
			continue
		}
		b, err := sc.c.broker(id)
		if err != nil {
			unknown = true
			continue
		}
		s := newShareSession(sc, b)
		s.want = tps
		sc.sessions[id] = s
		sc.wg.Add(1)
		go s.run()
	}
	if unknown {
		// Learn the new topics or leaders for the next heartbeat.
		sc.refreshLocked(false)
	}
}

// refreshLocked refreshes the subscribed topics' metadata in the
// background, then, if reroute, routes the assignment again (a leader
// moved). Close waits for it.
func (sc *ShareConsumer) refreshLocked(reroute bool) {
	if sc.closing || sc.killed || sc.refreshing {
		return
	}
	sc.refreshing = true
	sc.wg.Add(1)
	go func() {
		defer sc.wg.Done()
		_ = sc.c.refresh(sc.ctx, sc.cfg.Topics, false)
		sc.mu.Lock()
		sc.refreshing = false
		sc.mu.Unlock()
		if reroute {
			sc.route(sc.ctx)
		}
	}()
}

// leave sends the heartbeat with epoch -1 that leaves the group.
func (sc *ShareConsumer) leave(ctx context.Context) error {
	req := &protocol.ShareGroupHeartbeatRequest{GroupID: sc.cfg.Group, MemberID: sc.memberID, MemberEpoch: -1}
	var resp protocol.ShareGroupHeartbeatResponse
	b, err := sc.c.coordinator(ctx, sc.cfg.Group)
	if err == nil {
		_, err = b.call(ctx, req, &resp)
	}
	if err == nil {
		err = messageError(resp.ErrorCode, resp.ErrorMessage)
	}
	if errors.Is(err, ErrUnknownMemberID) || errors.Is(err, ErrGroupIDNotFound) {
		err = nil // already out of the group: what leaving wants
	}
	if err != nil {
		return fmt.Errorf("kafka: leaving share group %q: %w", sc.cfg.Group, err)
	}
	return nil
}
