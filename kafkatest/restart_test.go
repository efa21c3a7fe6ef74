package kafkatest_test

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/gokafka/kafka/kafkatest"
)

// metaBrokerAddrs returns the address Metadata gives each broker.
func metaBrokerAddrs(resp *kmsg.MetadataResponse) map[int32]string {
	out := make(map[int32]string)
	for _, b := range resp.Brokers {
		out[b.NodeID] = net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
	}
	return out
}

func TestRestartBroker(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("t", 3))
	addr1 := c.Addrs()[1]
	// A client that knows only broker 1, as after a bootstrap from it.
	cl := newClient(t, []string{addr1})
	produce(t, cl, "t", "before")

	conn, err := net.Dial("tcp", addr1)
	require.NoError(t, err)
	defer conn.Close()
	_, err = rawAPIVersions(addr1, conn) // accepted, so tracked
	require.NoError(t, err)

	require.NoError(t, c.RemoveBroker(1))
	assertCut(t, conn)
	_, err = net.DialTimeout("tcp", addr1, time.Second)
	require.Error(t, err, "a stopped broker's port is closed")
	assert.Equal(t, []int32{0, 2}, c.BrokerIDs())

	require.NoError(t, c.RestartBroker(1))
	assert.Equal(t, []int32{0, 1, 2}, c.BrokerIDs())
	assert.Equal(t, addr1, c.Addrs()[1], "same ID, same address")

	// The client reconnects to the address it had, and the cluster
	// names broker 1 at that address again.
	md := metadata(t, cl, "t")
	assert.Equal(t, []int32{0, 1, 2}, metaBrokerIDs(md))
	assert.Equal(t, addr1, metaBrokerAddrs(md)[1])
	produce(t, cl, "t", "after")
	_, err = rawAPIVersions(addr1, nil)
	require.NoError(t, err)

	// Only a stopped broker restarts.
	require.ErrorIs(t, c.RestartBroker(1), kafkatest.ErrBrokerNotStopped)
	require.ErrorIs(t, c.RestartBroker(7), kafkatest.ErrBrokerNotStopped)
	// A broker whose ID AddBroker gave away cannot come back.
	require.NoError(t, c.RemoveBroker(2))
	id, err := c.AddBroker()
	require.NoError(t, err)
	require.Equal(t, int32(2), id)
	require.ErrorIs(t, c.RestartBroker(2), kafkatest.ErrBrokerNotStopped)

	c.Close()
	require.ErrorIs(t, c.RestartBroker(0), kafkatest.ErrClosed)
}

func TestDropBrokerConnections(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("t", 1))
	addrs := c.Addrs()
	conns := make([]net.Conn, len(addrs))
	for i, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = rawAPIVersions(addr, conn) // accepted, so tracked
		require.NoError(t, err)
		conns[i] = conn
	}
	cl := newClient(t, addrs[:1], kgo.RequestRetries(0))
	seed := cl.SeedBrokers()[0]
	_, err := seed.Request(ctxFor(t, 10*time.Second), kmsg.NewPtrMetadataRequest())
	require.NoError(t, err)

	require.NoError(t, c.DropBrokerConnections(0))
	assertCut(t, conns[0])
	// Only broker 0's connections: the others still answer.
	for i := 1; i < len(conns); i++ {
		_, err := rawAPIVersions(addrs[i], conns[i])
		require.NoError(t, err, "broker %d", i)
	}
	// Broker 0 stays up: new connections are served, and a client
	// reconnects to it. (The client's first request after the drop may
	// still go to the dead connection and fail: that is the disconnect.)
	_, err = rawAPIVersions(addrs[0], nil)
	require.NoError(t, err)
	if _, err := seed.Request(ctxFor(t, 10*time.Second), kmsg.NewPtrMetadataRequest()); err != nil {
		t.Logf("first request after the drop: %v", err)
	}
	md := metadata(t, cl, "t")
	assert.Equal(t, []int32{0, 1, 2}, metaBrokerIDs(md))

	require.Error(t, c.DropBrokerConnections(5), "no such broker")
	require.NoError(t, c.RemoveBroker(0))
	require.Error(t, c.DropBrokerConnections(0), "a stopped broker")
}

// freePorts returns n ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func addrsOf(ports []int) []string {
	var addrs []string
	for _, p := range ports {
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	return addrs
}

func TestPorts(t *testing.T) {
	t.Parallel()
	ports := freePorts(t, 2)
	c := kafkatest.MustCluster(t, kafkatest.Ports(ports...), kafkatest.Topic("t", 2))
	want := addrsOf(ports)
	assert.Equal(t, want, c.Addrs())
	assert.Equal(t, []int32{0, 1}, c.BrokerIDs())
	cl := newClient(t, want[:1])
	md := metadata(t, cl, "t")
	assert.Equal(t, map[int32]string{0: want[0], 1: want[1]}, metaBrokerAddrs(md))
	produce(t, cl, "t", "fixed")

	// A port in use fails NewCluster, naming it.
	busy, err := kafkatest.NewCluster(kafkatest.Ports(ports[0]))
	require.Error(t, err)
	assert.Nil(t, busy)
	assert.Contains(t, err.Error(), strconv.Itoa(ports[0]))
}

func TestPortsOptionErrors(t *testing.T) {
	for name, opts := range map[string][]kafkatest.Option{
		"no ports":          {kafkatest.Ports()},
		"negative":          {kafkatest.Ports(-1)},
		"too big":           {kafkatest.Ports(70000)},
		"twice":             {kafkatest.Ports(40001, 40001)},
		"brokers disagree":  {kafkatest.NumBrokers(3), kafkatest.Ports(40001, 40002)},
		"brokers disagree2": {kafkatest.Ports(40001, 40002), kafkatest.NumBrokers(1)},
	} {
		c, err := kafkatest.NewCluster(opts...)
		assert.Error(t, err, name)
		assert.Nil(t, c, name)
	}
}

func TestStartProcessPorts(t *testing.T) {
	ports := freePorts(t, 1)
	addrs := kafkatest.StartProcess(t, map[string]int{"fixed": 2}, kafkatest.Ports(ports...), kafkatest.DefaultPartitions(4))
	require.Equal(t, addrsOf(ports), addrs)
	cl := newClient(t, addrs)
	md := metadata(t, cl, "fixed")
	require.Len(t, md.Topics, 1)
	assert.Len(t, md.Topics[0].Partitions, 2)
	produce(t, cl, "fixed", "in the child")
}
