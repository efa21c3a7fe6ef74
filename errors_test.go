package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestEveryCodeHasAnError checks errorcodes.go against protocol's table: one
// ErrX constant per Kafka code, named after Kafka's name for it.
func TestEveryCodeHasAnError(t *testing.T) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range []string{"errorcodes.go", "errors.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	_, err := conf.Check("kafka", fset, files, info)
	require.NoError(t, err)

	byCode := map[protocol.ErrorCode]string{}
	for id, obj := range info.Defs {
		c, ok := obj.(*types.Const)
		if !ok || id.Obj == nil {
			continue
		}
		v, _ := constant.Int64Val(c.Val())
		code := protocol.ErrorCode(v)
		if want := "Err" + goName(code.Name()); c.Name() == want {
			byCode[code] = c.Name()
		}
	}
	for _, code := range protocol.ErrorCodes() {
		if code == protocol.None {
			continue
		}
		require.Contains(t, byCode, code, "no Err constant named after %s", code)
	}
}

// goName turns OFFSET_OUT_OF_RANGE into OffsetOutOfRange and
// UNKNOWN_MEMBER_ID into UnknownMemberID (Go initialisms).
func goName(kafkaName string) string {
	var out strings.Builder
	for word := range strings.SplitSeq(kafkaName, "_") {
		switch word {
		case "ID", "API":
			out.WriteString(word)
		case "":
		default:
			out.WriteString(word[:1] + strings.ToLower(word[1:]))
		}
	}
	return out.String()
}

func TestErrorsMatchThroughWrapping(t *testing.T) {
	err := fmt.Errorf("consuming: %w", &kafka.OpError{Op: "fetch", Topic: "payments", Partition: 3, Broker: 2, Addr: "10.0.0.2:9092", Err: kafka.ErrNotLeaderOrFollower})
	require.ErrorIs(t, err, kafka.ErrNotLeaderForPartition, "pykafka's name for the same code")
	require.NotErrorIs(t, err, kafka.ErrOffsetOutOfRange)
	var code kafka.Error
	require.ErrorAs(t, err, &code)
	require.Equal(t, "NOT_LEADER_OR_FOLLOWER", code.Name())
	require.True(t, kafka.IsRetriable(err))
	require.Equal(t, "consuming: kafka: fetch payments[3] at broker 2 (10.0.0.2:9092): NOT_LEADER_OR_FOLLOWER (6): For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.", err.Error())
}

func TestIsRetriable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{kafka.ErrLeaderNotAvailable, true},
		{kafka.ErrRequestTimedOut, true},
		{kafka.ErrMessageTooLarge, false},
		{kafka.ErrTopicAuthorizationFailed, false},
		{kafka.Error(999), false},
		{fmt.Errorf("x: %w", kafka.ErrSocketDisconnected), true},
		{kafka.ErrNoBrokersAvailable, true},
		{&net.OpError{Op: "read", Err: timeoutErr{}}, true},
		{context.DeadlineExceeded, false},
		{fmt.Errorf("%w after %w", kafka.ErrLeaderNotAvailable, context.Canceled), false},
		{io.EOF, false},
		{kafka.ErrProducerQueueFull, false},
	} {
		require.Equal(t, tc.want, kafka.IsRetriable(tc.err), "%v", tc.err)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestUnknownCodeIsAnErrorValue(t *testing.T) {
	err := error(kafka.Error(4242))
	require.EqualError(t, err, "kafka: UNKNOWN_ERROR_CODE_4242 (4242)")
	require.False(t, errors.Is(err, kafka.ErrUnknownServerError))
}
