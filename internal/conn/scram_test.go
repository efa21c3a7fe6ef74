package conn

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// RFC 7677 section 3: user "user", password "pencil".
const (
	rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func rfcClient() *scram {
	s := scramSHA256("user", "pencil")
	s.nonce = "rOprNGfwEbeRWgbNEkqO"
	return s
}

func TestSCRAMSHA256MatchesRFC7677(t *testing.T) {
	s := rfcClient()
	first, err := s.start()
	require.NoError(t, err)
	require.Equal(t, rfcClientFirst, string(first))
	final, done, err := s.next([]byte(rfcServerFirst))
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, rfcClientFinal, string(final))
	out, done, err := s.next([]byte(rfcServerFinal))
	require.NoError(t, err)
	require.True(t, done)
	require.Empty(t, out)
}

func TestSCRAMServerSignatureMismatch(t *testing.T) {
	s := rfcClient()
	s.start()
	_, _, err := s.next([]byte(rfcServerFirst))
	require.NoError(t, err)
	_, _, err = s.next([]byte("v=" + base64.StdEncoding.EncodeToString(make([]byte, 32))))
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, "server signature mismatch")

	s = rfcClient()
	s.start()
	s.next([]byte(rfcServerFirst))
	_, _, err = s.next([]byte("x=nothing"))
	require.ErrorContains(t, err, "server signature mismatch", "a missing v= is a mismatch too")
}

func TestSCRAMServerFirstErrors(t *testing.T) {
	for _, tc := range []struct{ serverFirst, want string }{
		{"r=someoneElsesNonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not extend ours"},
		{"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not extend ours"},
		{"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not extend ours"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", "no salt"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", "no salt"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=!!!,i=4096", "not base64"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", "not a number"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", "4095 iterations"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", "1 iterations"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100000000", "100000000 iterations"},
		{"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096", "-4096 iterations"},
		{"m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "extension"},
		{"e=unknown-user", "unknown-user"},
		{"", "does not extend ours"},
	} {
		s := rfcClient()
		s.start()
		_, _, err := s.next([]byte(tc.serverFirst))
		require.ErrorContains(t, err, tc.want, "server-first %q", tc.serverFirst)
	}
}

func TestSCRAMServerErrorIsAuthenticationFailure(t *testing.T) {
	s := rfcClient()
	s.start()
	_, _, err := s.next([]byte("e=invalid-proof"))
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)

	s = rfcClient()
	s.start()
	s.next([]byte(rfcServerFirst))
	_, _, err = s.next([]byte("e=invalid-proof"))
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, "invalid-proof")

	_, _, err = s.next(nil)
	require.ErrorContains(t, err, "after the exchange ended")
}

func TestSCRAMEscapesUsername(t *testing.T) {
	s := scramSHA256("a=b,c", "x")
	s.nonce = "N"
	first, _ := s.start()
	require.Equal(t, "n,,n=a=3Db=2Cc,r=N", string(first))
}

func TestSCRAMNonceIsRandomAndSafe(t *testing.T) {
	a, _ := scramSHA256("u", "p").start()
	b, _ := scramSHA256("u", "p").start()
	require.NotEqual(t, a, b)
	nonce := strings.TrimPrefix(string(a), "n,,n=u,r=")
	require.GreaterOrEqual(t, len(nonce), 24)
	require.NotContains(t, nonce, ",")
}

// scramServer is a test broker's side of SCRAM, written from RFC 5802's
// formulas: it checks the client's proof and signs the exchange.
type scramServer struct {
	hash       func() hash.Hash
	password   string
	salt       []byte
	iterations int
	nonce      string
	clientBare string
	first      string
}

func (sv *scramServer) serverFirst(clientFirst string) string {
	sv.clientBare = strings.TrimPrefix(clientFirst, "n,,")
	sv.nonce = scramAttrs(sv.clientBare)['r'] + "srv" + rand.Text()
	sv.first = fmt.Sprintf("r=%s,s=%s,i=%d", sv.nonce, base64.StdEncoding.EncodeToString(sv.salt), sv.iterations)
	return sv.first
}

// serverFinal returns v=..., or an error when the proof is wrong.
func (sv *scramServer) serverFinal(clientFinal string) (string, error) {
	i := strings.LastIndex(clientFinal, ",p=")
	if i < 0 {
		return "", errors.New("no proof")
	}
	withoutProof := clientFinal[:i]
	if withoutProof != "c=biws,r="+sv.nonce {
		return "", errors.New("bad channel binding or nonce")
	}
	proof, err := base64.StdEncoding.DecodeString(clientFinal[i+3:])
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sv.hash, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	salted, err := pbkdf2.Key(sv.hash, sv.password, sv.salt, sv.iterations, sv.hash().Size())
	if err != nil {
		return "", err
	}
	h := sv.hash()
	h.Write(mac(salted, "Client Key"))
	storedKey := h.Sum(nil)
	authMessage := sv.clientBare + "," + sv.first + "," + withoutProof
	sig := mac(storedKey, authMessage)
	if len(proof) != len(sig) {
		return "", errors.New("proof length")
	}
	clientKey := make([]byte, len(sig))
	for i := range sig {
		clientKey[i] = proof[i] ^ sig[i]
	}
	h = sv.hash()
	h.Write(clientKey)
	if !hmac.Equal(h.Sum(nil), storedKey) {
		return "", errors.New("invalid proof")
	}
	return "v=" + base64.StdEncoding.EncodeToString(mac(mac(salted, "Server Key"), authMessage)), nil
}

func TestSCRAMSHA512AgainstIndependentServer(t *testing.T) {
	for _, tc := range []struct {
		clientPassword string
		ok             bool
	}{{"correct horse", true}, {"wrong", false}} {
		sv := &scramServer{hash: sha512.New, password: "correct horse", salt: []byte("NaCl-NaCl"), iterations: 4096}
		c := scramSHA512("alice", tc.clientPassword)
		first, err := c.start()
		require.NoError(t, err)
		final, done, err := c.next([]byte(sv.serverFirst(string(first))))
		require.NoError(t, err)
		require.False(t, done)
		require.Len(t, mustProof(t, string(final)), sha512.Size)
		v, err := sv.serverFinal(string(final))
		if !tc.ok {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err)
		_, done, err = c.next([]byte(v))
		require.NoError(t, err)
		require.True(t, done)
	}
	// The independent server agrees with the RFC vector, so it is a fair judge.
	sv := &scramServer{hash: sha256.New, password: "pencil", iterations: 4096,
		clientBare: "n=user,r=rOprNGfwEbeRWgbNEkqO", first: rfcServerFirst,
		nonce: "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"}
	sv.salt, _ = base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err := sv.serverFinal(rfcClientFinal)
	require.NoError(t, err)
	require.Equal(t, rfcServerFinal, v)
}

func mustProof(t *testing.T, clientFinal string) []byte {
	t.Helper()
	p, err := base64.StdEncoding.DecodeString(scramAttrs(clientFinal)['p'])
	require.NoError(t, err)
	return p
}
