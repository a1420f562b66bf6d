// Package lokipush is the HTTP side of tarn's Loki push receiver.
//
// Anything that speaks Loki's push API (Promtail, Grafana Alloy, Fluent
// Bit's loki output, the Docker loki driver, loki-client-go) can point at
// tarn instead of Loki. NewHandler serves the push endpoints, Decode turns
// a body into Streams exactly as far as Loki 3.x would accept it, and
// Options.Push hands the decoded request to the agent, which anonymizes
// the entries and makes them durable before the client gets its 204.
//
// Nothing in this package logs or echoes record content: error messages
// name what is wrong and where (stream, entry, byte offset, label name),
// never a line, label value or metadata value.
package lokipush
