package kafka

import "errors"

// TEMPORARY, for the tests of issue 13 to compile before its produce engine
// lands: the engine exports ErrNoTopic, the error a Client.Producer
// refuses a message without a Topic with. Delete this file (and
// zz_shim_test.go) when the engine is merged.
var ErrNoTopic = errors.New("kafka: message without a topic (shim)")
