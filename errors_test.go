package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestEveryCodeHasAnError checks errorcodes.go against protocol's table: one
// ErrX constant per Kafka code, named after Kafka's name for it.
func TestEveryCodeHasAnError(t *testing.T) {
	// Read from the source rather than type-checked: type-checking the
	// package from source took 15 s under -race. errorcodes.go writes each
	// constant as ErrX Error = protocol.Y, and protocol/errorcodes.go each Y
	// as Y ErrorCode = <integer>.
	protocolValues := map[string]protocol.ErrorCode{}
	for name, expr := range constSpecs(t, "protocol/errorcodes.go") {
		v, err := strconv.ParseInt(types.ExprString(expr), 10, 16)
		if err == nil {
			protocolValues[name] = protocol.ErrorCode(v)
		}
	}
	byCode := map[protocol.ErrorCode]string{}
	for name, expr := range constSpecs(t, "errorcodes.go") {
		sel, ok := expr.(*ast.SelectorExpr)
		if !ok || types.ExprString(sel.X) != "protocol" {
			continue
		}
		code, ok := protocolValues[sel.Sel.Name]
		if ok && name == "Err"+goName(code.Name()) {
			byCode[code] = name
		}
	}
	for _, code := range protocol.ErrorCodes() {
		if code == protocol.None {
			continue
		}
		require.Contains(t, byCode, code, "no Err constant named after %s", code)
	}
}

// constSpecs returns the value expression of each constant declared in the
// Go file at path, by name.
func constSpecs(t *testing.T, path string) map[string]ast.Expr {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	require.NoError(t, err)
	specs := map[string]ast.Expr{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					specs[name.Name] = vs.Values[i]
				}
			}
		}
	}
	return specs
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
