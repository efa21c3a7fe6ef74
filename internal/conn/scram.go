package conn

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// Kafka stores SCRAM credentials with 4096 to 16384 iterations. Fewer would
// let a rogue broker make the proof cheap to brute-force; many more would
// let it burn our CPU, so anything far above Kafka's maximum is refused.
const (
	scramMinIterations = 4096
	scramMaxIterations = 1 << 16
)

// scram is the client side of SCRAM (RFC 5802) without channel binding,
// which is all Kafka offers: client-first, client-final, then a check of
// the server's signature, so a broker that does not know the password
// cannot pass itself off as the real one.
type scram struct {
	name     string // "SCRAM-SHA-256" or "SCRAM-SHA-512"
	hash     func() hash.Hash
	user     string
	password string
	nonce    string // our part of the nonce; tests set it to replay RFC vectors

	step        int
	clientFirst string // client-first-message-bare
	serverSig   []byte
}

func newSCRAM(name string, h func() hash.Hash, user, password string) *scram {
	return &scram{name: name, hash: h, user: user, password: password}
}

func scramSHA256(user, password string) *scram {
	return newSCRAM("SCRAM-SHA-256", sha256.New, user, password)
}

func scramSHA512(user, password string) *scram {
	return newSCRAM("SCRAM-SHA-512", sha512.New, user, password)
}

// scramEscaper applies RFC 5802's saslname rule; '=' goes first so that the
// escapes themselves are not escaped again.
var scramEscaper = strings.NewReplacer("=", "=3D", ",", "=2C")

func (s *scram) start() ([]byte, error) {
	if s.nonce == "" {
		var b [24]byte
		rand.Read(b[:]) // never fails (crypto/rand documents it)
		s.nonce = base64.RawStdEncoding.EncodeToString(b[:])
	}
	s.clientFirst = "n=" + scramEscaper.Replace(s.user) + ",r=" + s.nonce
	s.step = 1
	// "n,," is the GS2 header: no channel binding, no authorization ID.
	return []byte("n,," + s.clientFirst), nil
}

func (s *scram) next(challenge []byte) ([]byte, bool, error) {
	switch s.step {
	case 1:
		s.step = 2
		final, err := s.clientFinal(string(challenge))
		return final, false, err
	case 2:
		s.step = 3
		return nil, true, s.verifyServerFinal(string(challenge))
	default:
		return nil, false, fmt.Errorf("kafka: %s: unexpected message after the exchange ended", s.name)
	}
}

// scramAttrs splits "k=v,k=v" into its attributes. Only the first value of a
// key counts; RFC 5802 never repeats one.
func scramAttrs(msg string) map[byte]string {
	attrs := make(map[byte]string)
	for _, f := range strings.Split(msg, ",") {
		if len(f) < 2 || f[1] != '=' {
			continue
		}
		if _, dup := attrs[f[0]]; !dup {
			attrs[f[0]] = f[2:]
		}
	}
	return attrs
}

func (s *scram) clientFinal(serverFirst string) ([]byte, error) {
	attrs := scramAttrs(serverFirst)
	if e, ok := attrs['e']; ok {
		return nil, fmt.Errorf("kafka: %s: broker refused: %s: %w", s.name, e, protocol.SaslAuthenticationFailed)
	}
	if _, ok := attrs['m']; ok {
		return nil, fmt.Errorf("kafka: %s: broker demands an extension we do not know (m=)", s.name)
	}
	nonce := attrs['r']
	if !strings.HasPrefix(nonce, s.nonce) || len(nonce) == len(s.nonce) {
		// A broker that does not extend our nonce is replaying an old
		// exchange or not speaking SCRAM at all.
		return nil, fmt.Errorf("kafka: %s: broker's nonce %q does not extend ours", s.name, nonce)
	}
	salt64, ok := attrs['s']
	if !ok || salt64 == "" {
		return nil, fmt.Errorf("kafka: %s: broker sent no salt", s.name)
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		return nil, fmt.Errorf("kafka: %s: broker's salt is not base64: %w", s.name, err)
	}
	iter, err := strconv.Atoi(attrs['i'])
	if err != nil {
		return nil, fmt.Errorf("kafka: %s: broker's iteration count %q is not a number", s.name, attrs['i'])
	}
	if iter < scramMinIterations || iter > scramMaxIterations {
		return nil, fmt.Errorf("kafka: %s: broker asks for %d iterations; refusing anything outside %d..%d", s.name, iter, scramMinIterations, scramMaxIterations)
	}

	salted, err := pbkdf2.Key(s.hash, s.password, salt, iter, s.hash().Size())
	if err != nil {
		return nil, fmt.Errorf("kafka: %s: deriving the key: %w", s.name, err)
	}
	clientKey := s.hmac(salted, "Client Key")
	h := s.hash()
	h.Write(clientKey)
	storedKey := h.Sum(nil)

	withoutProof := "c=biws,r=" + nonce // biws is base64("n,,")
	authMessage := s.clientFirst + "," + serverFirst + "," + withoutProof
	proof := s.hmac(storedKey, authMessage)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	s.serverSig = s.hmac(s.hmac(salted, "Server Key"), authMessage)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

func (s *scram) verifyServerFinal(serverFinal string) error {
	attrs := scramAttrs(serverFinal)
	if e, ok := attrs['e']; ok {
		return fmt.Errorf("kafka: %s: broker refused: %s: %w", s.name, e, protocol.SaslAuthenticationFailed)
	}
	v, err := base64.StdEncoding.DecodeString(attrs['v'])
	if err != nil || !hmac.Equal(v, s.serverSig) {
		return fmt.Errorf("kafka: %s: server signature mismatch (the broker does not know the password): %w", s.name, protocol.SaslAuthenticationFailed)
	}
	return nil
}

func (s *scram) hmac(key []byte, msg string) []byte {
	m := hmac.New(s.hash, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
