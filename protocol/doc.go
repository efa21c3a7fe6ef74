// Package protocol is gokafka's implementation of the Kafka wire protocol,
// written from Kafka's published message schemas and protocol guide.
//
// It holds the bytes-on-the-wire layer only: primitive types ([Encoder],
// [Decoder]), request and response framing ([AppendRequest],
// [DecodeResponse], [ReadFrame]), every request and response message gokafka
// speaks at every version from 0 to the newest of Kafka 4.1 (see [APIs]),
// record batches (v2) and legacy message sets (v0 and v1), and the Kafka
// error codes. Compression codecs live in the compress subpackage. Nothing
// here opens a connection.
//
// # Messages
//
// Each message is a plain struct whose fields follow the schema's field order
// and names. Fields that a version does not carry are ignored when encoding
// and set to the schema's default when decoding. Tagged fields this package
// does not know are kept in UnknownTags and written back unchanged.
//
// # Aliasing
//
// Decoding does not copy byte fields: []byte values (record data, keys,
// values, raw tagged fields, SASL tokens) alias the input buffer, so the
// buffer must not be reused while decoded values are in use. Strings are
// copied.
//
// # Untrusted input
//
// Decoders never trust a length read from the wire: a count or length larger
// than the bytes that remain is reported as an error wrapping [ErrMalformed]
// before anything is allocated, so a 100-byte frame can never make a decoder
// allocate gigabytes.
package protocol
