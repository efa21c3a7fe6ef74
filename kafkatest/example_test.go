package kafkatest_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

// rawAPIVersions asks the broker at addr for its API versions over conn (a new
// plain connection when conn is nil), with the project's own protocol
// package, and returns each key's version range.
func rawAPIVersions(addr string, conn net.Conn) (map[int16][2]int16, error) {
	if conn == nil {
		var err error
		if conn, err = net.DialTimeout("tcp", addr, 5*time.Second); err != nil {
			return nil, err
		}
		defer conn.Close()
	}
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return nil, err
	}
	clientID := "example"
	frame, err := protocol.AppendRequest(nil, 1, &clientID, &protocol.APIVersionsRequest{}, 0)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(frame); err != nil {
		return nil, err
	}
	body, err := protocol.ReadFrame(conn, nil, 1<<20)
	if err != nil {
		return nil, err
	}
	var resp protocol.APIVersionsResponse
	if _, err := protocol.DecodeResponse(body, &resp, 0); err != nil {
		return nil, err
	}
	if resp.ErrorCode != 0 {
		return nil, fmt.Errorf("APIVersions: error code %d", resp.ErrorCode)
	}
	versions := make(map[int16][2]int16)
	for _, k := range resp.APIKeys {
		versions[k.APIKey] = [2]int16{k.MinVersion, k.MaxVersion}
	}
	return versions, nil
}

func ExampleNewCluster() {
	c, err := kafkatest.NewCluster(kafkatest.Topic("events", 3))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	fmt.Println("brokers:", c.BrokerIDs(), "at", len(c.Addrs()), "addresses")
	for p := range int32(3) {
		leader, err := c.Leader("events", p)
		fmt.Printf("events/%d has a leader: %v\n", p, err == nil && leader >= 0)
	}
	// Output:
	// brokers: [0 1 2] at 3 addresses
	// events/0 has a leader: true
	// events/1 has a leader: true
	// events/2 has a leader: true
}

// A cluster can pose as an older Kafka release; a client then negotiates
// down to that release's API versions.
func ExampleVersion() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1), kafkatest.Version("0.11"))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	versions, err := rawAPIVersions(c.Addrs()[0], nil)
	if err != nil {
		panic(err)
	}
	for _, key := range []int16{protocol.KeyProduce, protocol.KeyFetch, protocol.KeyMetadata} {
		fmt.Printf("%s: v%d-v%d\n", protocol.LookupAPI(key).Name, versions[key][0], versions[key][1])
	}
	// Output:
	// Produce: v3-v3
	// Fetch: v4-v5
	// Metadata: v0-v4
}

func ExampleCluster_InjectError() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	// The next APIVersions request is answered with error code 7
	// (REQUEST_TIMED_OUT); the one after it is served.
	inj := c.InjectError(protocol.KeyAPIVersions, 7, 1)
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("first:", err)
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("second:", err)
	fmt.Println("hits:", inj.Hits())
	// Output:
	// first: APIVersions: error code 7
	// second: <nil>
	// hits: 1
}

func ExampleCluster_Requests() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	for range 3 {
		if _, err := rawAPIVersions(c.Addrs()[0], nil); err != nil {
			panic(err)
		}
	}
	fmt.Println("APIVersions requests:", c.Requests(protocol.KeyAPIVersions))
	fmt.Println("Produce requests:", c.Requests(protocol.KeyProduce))
	// Output:
	// APIVersions requests: 3
	// Produce requests: 0
}

func ExampleCluster_DropConnection() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	c.DropConnection(protocol.KeyAPIVersions, 1)
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("dropped:", errors.Is(err, io.EOF))
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("next:", err)
	// Output:
	// dropped: true
	// next: <nil>
}

func ExampleCluster_Delay() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	c.Delay(protocol.KeyAPIVersions, 200*time.Millisecond, 1)
	start := time.Now()
	if _, err := rawAPIVersions(c.Addrs()[0], nil); err != nil {
		panic(err)
	}
	fmt.Println("waited at least 200ms:", time.Since(start) >= 200*time.Millisecond)
	// Output: waited at least 200ms: true
}

func ExampleCluster_MoveLeader() {
	c, err := kafkatest.NewCluster(kafkatest.Topic("events", 1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	if err := c.MoveLeader("events", 0, 2); err != nil {
		panic(err)
	}
	leader, _ := c.Leader("events", 0)
	fmt.Println("leader of events/0:", leader)
	// Output: leader of events/0: 2
}

func ExampleCluster_AddBroker() {
	c, err := kafkatest.NewCluster()
	if err != nil {
		panic(err)
	}
	defer c.Close()

	id, err := c.AddBroker()
	if err != nil {
		panic(err)
	}
	fmt.Println("added broker", id, "brokers:", c.BrokerIDs())
	if err := c.RemoveBroker(0); err != nil {
		panic(err)
	}
	fmt.Println("removed broker 0, brokers:", c.BrokerIDs())
	// Output:
	// added broker 3 brokers: [0 1 2 3]
	// removed broker 0, brokers: [1 2 3]
}

func ExampleCluster_CreateTopic() {
	c, err := kafkatest.NewCluster()
	if err != nil {
		panic(err)
	}
	defer c.Close()

	fmt.Println(c.CreateTopic("orders", 6))
	err = c.CreateTopic("orders", 6)
	fmt.Println(err)
	var ke *kafkatest.KafkaError
	if errors.As(err, &ke) {
		fmt.Println("code:", ke.Code)
	}
	// Output:
	// <nil>
	// kafkatest: create topic "orders": TOPIC_ALREADY_EXISTS (error code 36)
	// code: 36
}

func ExampleNewTLSConfigs() {
	server, client, err := kafkatest.NewTLSConfigs()
	if err != nil {
		panic(err)
	}
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1), kafkatest.TLS(server))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	conn, err := tls.Dial("tcp", c.Addrs()[0], client)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	versions, err := rawAPIVersions("", conn)
	if err != nil {
		panic(err)
	}
	fmt.Println("verified:", conn.ConnectionState().VerifiedChains != nil)
	fmt.Println("served over TLS:", len(versions) > 0)
	// Output:
	// verified: true
	// served over TLS: true
}

func ExampleCluster_RestartBroker() {
	c, err := kafkatest.NewCluster()
	if err != nil {
		panic(err)
	}
	defer c.Close()

	addr := c.Addrs()[1]
	if err := c.RemoveBroker(1); err != nil { // the broker goes away...
		panic(err)
	}
	_, err = rawAPIVersions(addr, nil)
	fmt.Println("while stopped:", err != nil)
	if err := c.RestartBroker(1); err != nil { // ...and comes back
		panic(err)
	}
	_, err = rawAPIVersions(addr, nil)
	fmt.Println("restarted:", err, "same address:", c.Addrs()[1] == addr)
	// Output:
	// while stopped: true
	// restarted: <nil> same address: true
}

func ExampleCluster_DropBrokerConnections() {
	c, err := kafkatest.NewCluster()
	if err != nil {
		panic(err)
	}
	defer c.Close()

	conn, err := net.Dial("tcp", c.Addrs()[0])
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	if _, err := rawAPIVersions("", conn); err != nil {
		panic(err)
	}
	if err := c.DropBrokerConnections(0); err != nil {
		panic(err)
	}
	_, err = rawAPIVersions("", conn)
	fmt.Println("old connection:", errors.Is(err, io.EOF))
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("new connection:", err)
	// Output:
	// old connection: true
	// new connection: <nil>
}

// A cluster on the usual ports, for trying tools by hand while the program
// runs, e.g. kafka-tools -b 127.0.0.1:9092 print_topics.
func ExamplePorts() {
	c, err := kafkatest.NewCluster(kafkatest.Ports(9092, 9093, 9094), kafkatest.Topic("payments", 3))
	if err != nil {
		panic(err) // a port is taken
	}
	defer c.Close()
	fmt.Println(c.Addrs())
}

func ExampleCluster_Observe() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	seen := make(chan kafkatest.Request, 1)
	stop := c.Observe(protocol.KeyAPIVersions, func(r kafkatest.Request) { seen <- r })
	if _, err := rawAPIVersions(c.Addrs()[0], nil); err != nil {
		panic(err)
	}
	stop()
	r := <-seen
	fmt.Printf("API %d version %d at broker %d\n", r.API, r.Version, r.Broker)
	// Output: API 18 version 0 at broker 0
}

func ExampleCluster_DropResponse() {
	c, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	inj := c.DropResponse(protocol.KeyAPIVersions, 1)
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("answer lost:", errors.Is(err, io.EOF))
	_, err = rawAPIVersions(c.Addrs()[0], nil)
	fmt.Println("next:", err)
	fmt.Println("hits:", inj.Hits())
	// Output:
	// answer lost: true
	// next: <nil>
	// hits: 1
}
