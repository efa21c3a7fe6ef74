module github.com/gokafka/kafka/conformance

go 1.26.0

replace github.com/gokafka/kafka => ../

require github.com/gokafka/kafka v0.0.0-00010101000000-000000000000

require (
	github.com/golang/snappy v1.0.0 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
)
