module github.com/tarn-project/tarn

go 1.26.8

require (
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/vmihailenco/msgpack/v5 v5.4.1
	go.yaml.in/yaml/v3 v3.0.6
)

require github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
