package mock

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// Serve starts the control endpoint through which gokafka's root test suite
// (kafkatest, with KAFKATEST_RDKAFKA_MOCK set to the URL returned) creates
// topics on c, as this mock has no CreateTopics:
//
//	POST /topics?name=orders&partitions=3
//
// creates a topic replicated on every broker (at most 3). It listens on
// 127.0.0.1; call stop to close it.
func Serve(c *Cluster) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("mock: control endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /topics", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		parts, err := strconv.Atoi(r.URL.Query().Get("partitions"))
		if name == "" || err != nil || parts < 1 {
			http.Error(w, "want name and partitions (≥ 1)", http.StatusBadRequest)
			return
		}
		if err := c.CreateTopic(name, parts, min(c.Brokers(), 3)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "created", name)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
