package protocol_test

import (
	"bytes"
	"fmt"

	"github.com/gokafka/kafka/protocol"
)

// A client frames a request with AppendRequest, which picks the header
// version the API and version call for.
func ExampleAppendRequest() {
	clientID := "billing"
	req := &protocol.APIVersionsRequest{ClientSoftwareName: "gokafka", ClientSoftwareVersion: "0.1"}
	frame, err := protocol.AppendRequest(nil, 1, &clientID, req, 3)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d bytes: size %x, key %x, version %x, correlation id %x\n",
		len(frame), frame[:4], frame[4:6], frame[6:8], frame[8:12])
	// Output: 35 bytes: size 0000001f, key 0012, version 0003, correlation id 00000001
}

// A broker's answer is read with ReadFrame and decoded at the version the
// request was sent with.
func ExampleDecodeResponse() {
	// What a broker would send back (built here with AppendResponse).
	wire, _ := protocol.AppendResponse(nil, 1, &protocol.APIVersionsResponse{
		APIKeys: []protocol.APIVersionsResponseAPIKey{
			{APIKey: protocol.KeyProduce, MinVersion: 3, MaxVersion: 13},
			{APIKey: protocol.KeyFetch, MinVersion: 4, MaxVersion: 18},
		},
		FinalizedFeaturesEpoch: -1,
	}, 3)

	frame, err := protocol.ReadFrame(bytes.NewReader(wire), nil, 1<<20)
	if err != nil {
		panic(err)
	}
	var resp protocol.APIVersionsResponse
	correlationID, err := protocol.DecodeResponse(frame, &resp, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println("correlation id", correlationID)
	for _, k := range resp.APIKeys {
		api := protocol.LookupAPI(k.APIKey)
		fmt.Printf("%s: broker v%d-v%d, ours v%d-v%d\n", api.Name, k.MinVersion, k.MaxVersion, api.MinVersion, api.MaxVersion)
	}
	// Output:
	// correlation id 1
	// Produce: broker v3-v13, ours v0-v13
	// Fetch: broker v4-v18, ours v0-v18
}
