package protocol

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// kerrDifference is one place where our table deliberately disagrees with
// franz-go's kerr. Our values follow Kafka 4.1: Errors.java, the exception
// classes, and the error table Kafka generates from them in its protocol
// guide.
type kerrDifference struct {
	code   int16
	what   string // "name", "retriable" or "unknown" (kerr knows a code we do not)
	reason string
}

var kerrDifferences = []kerrDifference{
	{6, "name", "Kafka renamed NOT_LEADER_FOR_PARTITION to NOT_LEADER_OR_FOLLOWER in 2.6; kerr keeps the old name"},
	{8, "retriable", "BrokerNotAvailableException extends ApiException, not RetriableException; kerr says retriable"},
	{51, "retriable", "ConcurrentTransactionsException extends RetriableException; kerr says not retriable"},
	{122, "retriable", "ShareSessionNotFoundException extends RetriableException; kerr says not retriable"},
	{123, "retriable", "InvalidShareSessionEpochException extends RetriableException; kerr says not retriable"},
	{134, "unknown", "GROUP_DELETION_FAILED is newer than Kafka 4.1"},
	{135, "unknown", "STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED is newer than Kafka 4.1"},
	{136, "unknown", "CONTROLLER_ID_NOT_REGISTERED is newer than Kafka 4.1"},
}

// kerrLookup returns kerr's error for code and whether kerr knows the code
// (kerr.ErrorForCode returns UnknownServerError for a code it does not know).
func kerrLookup(code int16) (*kerr.Error, bool) {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil, true // NONE
	}
	ke, ok := err.(*kerr.Error)
	if !ok {
		return nil, false
	}
	return ke, code == -1 || ke != kerr.UnknownServerError
}

func TestErrorCodeKerr(t *testing.T) {
	want := make(map[[2]string]bool) // {code, what} -> listed
	for _, d := range kerrDifferences {
		want[[2]string{strconv.Itoa(int(d.code)), d.what}] = true
	}
	found := make(map[[2]string]bool)
	kerrCodes := 0
	for i := math.MinInt16; i <= math.MaxInt16; i++ {
		code := int16(i)
		ke, kerrKnows := kerrLookup(code)
		c := ErrorCode(code)
		if !kerrKnows {
			continue
		}
		kerrCodes++
		name, retriable := "NONE", false
		if ke != nil {
			name, retriable = ke.Message, ke.Retriable
		}
		check := func(what string, differs bool, detail string) {
			key := [2]string{strconv.Itoa(i), what}
			if differs {
				found[key] = true
				if !want[key] {
					t.Errorf("code %d: %s differs from kerr and is not in kerrDifferences: %s", i, what, detail)
				}
			}
		}
		if !c.Known() {
			check("unknown", true, "kerr knows "+name)
			continue
		}
		check("name", c.Name() != name, "ours "+c.Name()+", kerr "+name)
		check("retriable", c.Retriable() != retriable,
			"ours "+strconv.FormatBool(c.Retriable())+", kerr "+strconv.FormatBool(retriable))
	}
	for key := range want {
		if !found[key] {
			t.Errorf("kerrDifferences lists code %s (%s), but we now agree with kerr: drop the entry", key[0], key[1])
		}
	}
	// Every code we know that kerr does not is a gap in the oracle, not in us.
	for _, c := range ErrorCodes() {
		if _, ok := kerrLookup(int16(c)); !ok {
			t.Logf("kerr does not know %v", c)
		}
	}
	t.Logf("kerr knows %d codes, we know %d (max %v)", kerrCodes, len(ErrorCodes()), ErrorCodes()[len(ErrorCodes())-1])
}

func TestErrorCodeTable(t *testing.T) {
	nameRE := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	seen := make(map[string]ErrorCode)
	for i, e := range errorTable {
		c := ErrorCode(i - 1)
		if !nameRE.MatchString(e.name) {
			t.Errorf("code %d: bad name %q (a gap in the table?)", c, e.name)
		}
		if prev, dup := seen[e.name]; dup {
			t.Errorf("name %s used by codes %d and %d", e.name, prev, c)
		}
		seen[e.name] = c
		if (e.message == "") != (c == None) {
			t.Errorf("code %d (%s): message %q; only NONE has none", c, e.name, e.message)
		}
		if e.message != strings.TrimSpace(e.message) {
			t.Errorf("code %d: message has surrounding space: %q", c, e.message)
		}
		if !c.Known() || c.Name() != e.name || c.Message() != e.message || c.Retriable() != e.retriable {
			t.Errorf("code %d: methods disagree with the table", c)
		}
	}
	if errorTable[0].name != "UNKNOWN_SERVER_ERROR" || errorTable[1].name != "NONE" {
		t.Errorf("table does not start with UNKNOWN_SERVER_ERROR, NONE")
	}
	if None.Retriable() || UnknownServerError.Retriable() {
		t.Errorf("NONE and UNKNOWN_SERVER_ERROR must not be retriable")
	}
	if n := len(errorTable); n != int(ShareSessionLimitReached)+2 {
		t.Errorf("table has %d entries, want %d (codes -1..%d)", n, int(ShareSessionLimitReached)+2, ShareSessionLimitReached)
	}
}

// TestErrorCodeConstants checks that every constant in errorcodes.go is
// named after its table entry in CamelCase, and that every code has one.
func TestErrorCodeConstants(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "errorcodes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// camel turns UNKNOWN_MEMBER_ID into UnknownMemberID (Go initialisms).
	camel := func(name string) string {
		var b strings.Builder
		for part := range strings.SplitSeq(name, "_") {
			if part == "ID" || part == "API" {
				b.WriteString(part)
				continue
			}
			b.WriteString(part[:1])
			b.WriteString(strings.ToLower(part[1:]))
		}
		return b.String()
	}
	covered := make(map[ErrorCode]string)
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "ErrorCode" {
				continue
			}
			if len(vs.Names) != 1 || len(vs.Values) != 1 {
				t.Fatalf("%s: want one name and one explicit value per constant", fset.Position(vs.Pos()))
			}
			lit := vs.Values[0]
			neg := false
			if u, ok := lit.(*ast.UnaryExpr); ok && u.Op == token.SUB {
				neg, lit = true, u.X
			}
			bl, ok := lit.(*ast.BasicLit)
			if !ok || bl.Kind != token.INT {
				t.Fatalf("%s: value is not an integer literal", fset.Position(vs.Pos()))
			}
			n, err := strconv.Atoi(bl.Value)
			if err != nil {
				t.Fatal(err)
			}
			if neg {
				n = -n
			}
			c, ident := ErrorCode(n), vs.Names[0].Name
			if prev, dup := covered[c]; dup {
				t.Errorf("code %d has two constants, %s and %s", n, prev, ident)
			}
			covered[c] = ident
			if !c.Known() {
				t.Errorf("constant %s = %d is outside the table", ident, n)
				continue
			}
			if want := camel(c.Name()); ident != want {
				t.Errorf("constant for %s (%d) is %s, want %s", c.Name(), n, ident, want)
			}
		}
	}
	for _, c := range ErrorCodes() {
		if _, ok := covered[c]; !ok {
			t.Errorf("no constant for %v", c)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	codes := ErrorCodes()
	if len(codes) != len(errorTable) {
		t.Fatalf("ErrorCodes has %d codes, table %d", len(codes), len(errorTable))
	}
	if !slices.IsSorted(codes) {
		t.Errorf("ErrorCodes not sorted: %v", codes)
	}
	for i, c := range codes {
		if c != ErrorCode(i-1) {
			t.Fatalf("ErrorCodes()[%d] = %d, want %d (no gaps from -1)", i, c, i-1)
		}
	}
	codes[0] = 42
	if ErrorCodes()[0] != UnknownServerError {
		t.Errorf("ErrorCodes returns a shared slice")
	}
}

func TestErrorCodeStrings(t *testing.T) {
	for _, tc := range []struct {
		c          ErrorCode
		name, str  string
		known, ret bool
	}{
		{UnknownServerError, "UNKNOWN_SERVER_ERROR", "UNKNOWN_SERVER_ERROR (-1)", true, false},
		{None, "NONE", "NONE (0)", true, false},
		{OffsetOutOfRange, "OFFSET_OUT_OF_RANGE", "OFFSET_OUT_OF_RANGE (1)", true, false},
		{UnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", "UNKNOWN_TOPIC_OR_PARTITION (3)", true, true},
		{NotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", "NOT_LEADER_OR_FOLLOWER (6)", true, true},
		{ShareSessionLimitReached, "SHARE_SESSION_LIMIT_REACHED", "SHARE_SESSION_LIMIT_REACHED (133)", true, true},
		{-2, "UNKNOWN_ERROR_CODE_-2", "UNKNOWN_ERROR_CODE_-2 (-2)", false, false},
		{ShareSessionLimitReached + 1, "UNKNOWN_ERROR_CODE_134", "UNKNOWN_ERROR_CODE_134 (134)", false, false},
		{500, "UNKNOWN_ERROR_CODE_500", "UNKNOWN_ERROR_CODE_500 (500)", false, false},
		{math.MaxInt16, "UNKNOWN_ERROR_CODE_32767", "UNKNOWN_ERROR_CODE_32767 (32767)", false, false},
		{math.MinInt16, "UNKNOWN_ERROR_CODE_-32768", "UNKNOWN_ERROR_CODE_-32768 (-32768)", false, false},
	} {
		if got := tc.c.Name(); got != tc.name {
			t.Errorf("%d.Name() = %q, want %q", int16(tc.c), got, tc.name)
		}
		if got := tc.c.String(); got != tc.str {
			t.Errorf("%d.String() = %q, want %q", int16(tc.c), got, tc.str)
		}
		if got := tc.c.Known(); got != tc.known {
			t.Errorf("%d.Known() = %v, want %v", int16(tc.c), got, tc.known)
		}
		if got := tc.c.Retriable(); got != tc.ret {
			t.Errorf("%d.Retriable() = %v, want %v", int16(tc.c), got, tc.ret)
		}
		if !tc.known && tc.c.Message() != "" {
			t.Errorf("%d.Message() = %q, want empty", int16(tc.c), tc.c.Message())
		}
	}
	if got, want := OffsetOutOfRange.Message(), "The requested offset is not within the range of offsets maintained by the server."; got != want {
		t.Errorf("OffsetOutOfRange.Message() = %q, want %q", got, want)
	}
	// No code, however unknown, may panic.
	for i := math.MinInt16; i <= math.MaxInt16; i++ {
		c := ErrorCode(i)
		_, _, _, _ = c.Name(), c.Message(), c.Retriable(), c.String()
	}
	// The known-code lookups are on the hot path: no allocation.
	if n := testing.AllocsPerRun(100, func() {
		_, _, _, _ = NotLeaderOrFollower.Name(), NotLeaderOrFollower.Message(), NotLeaderOrFollower.Retriable(), NotLeaderOrFollower.Known()
	}); n != 0 {
		t.Errorf("known-code lookups allocate %v times", n)
	}
}

func TestErrorCodeIsAnError(t *testing.T) {
	var err error = fmt.Errorf("fetching: %w", OffsetOutOfRange)
	if !errors.Is(err, OffsetOutOfRange) || errors.Is(err, UnknownTopicOrPartition) {
		t.Fatalf("errors.Is does not match codes through wrapping: %v", err)
	}
	var code ErrorCode
	if !errors.As(err, &code) || code != OffsetOutOfRange {
		t.Fatalf("errors.As = %v", code)
	}
	want := "kafka: OFFSET_OUT_OF_RANGE (1): The requested offset is not within the range of offsets maintained by the server."
	if got := OffsetOutOfRange.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := ErrorCode(500).Error(); got != "kafka: UNKNOWN_ERROR_CODE_500 (500)" {
		t.Errorf("unknown code: %q", got)
	}
}
