// Package pseudo implements tarn's keyed pseudonyms (privacy invariant 3):
// master keys, epoch rotation, epoch keys, a cached per-worker MAC and the
// output forms a MAC is rendered into (hex, IPv6, decimal, e-mail).
//
// # Derivation (compatibility contract)
//
// The derivation below is a stable contract: every node of a fleet, and every
// future version of tarn, must compute the same pseudonym from the same master
// key, rotation, record time and value. Changing any part of it requires a new
// version tag in the epoch-key label.
//
//  1. The epoch label of a record is computed from the record's own timestamp
//     converted to UTC (never the local zone, never the wall clock):
//     Daily "2006-01-02", Weekly ISO-8601 week "2006-W01" (the ISO week-year,
//     which differs from the calendar year around New Year), Monthly
//     "2006-01", Never the constant "never". Numbers are formatted as by
//     fmt's %04d (year) and %02d (week, month, day).
//  2. epochKey = HMAC-SHA256(masterKey, "tarn/epoch/v1/" + label), 32 bytes.
//  3. mac = HMAC-SHA256(epochKey, value), 32 bytes, where value is the exact
//     byte string being replaced (no normalisation happens here; callers that
//     want "Alice@X" and "alice@x" to collide must normalise first).
//  4. The pseudonym is a rendering of the mac's leading bytes:
//     AppendHex: the first n lower-case hex digits of mac.
//     AppendIPv6: fd00::/8 address whose bytes 1..15 are mac[0:15], canonical
//     RFC 5952 text.
//     AppendDecimal: with d digits and x = big-endian uint64 of mac[0:8],
//     10^(d-1) + x mod (9·10^(d-1)).
//     AppendEmail: AppendHex local part, then "@" and the ASCII-lower-cased
//     domain if one is given.
//
// The visitor hash of aggregation (DayHash) has a key of its own, so it can
// never be related to a pseudonym: dayKey = HMAC-SHA256(masterKey,
// "tarn/visitors/v1/" + the UTC day "2006-01-02"), and the hash is SipHash-2-4
// keyed with dayKey's first 16 bytes. Sketches of different key versions do
// not merge meaningfully (a visitor would count twice).
//
// Master keys are at least MinKeyBytes bytes; key files hold lower-case hex
// plus a newline (EncodeKey) or raw bytes (ParseKey accepts both).
//
// Pseudonymizer is the hot-path type: one per worker goroutine. It caches the
// epoch keys of the current and the previous epoch and the MACs of recently
// seen values, and allocates nothing per call in steady state.
package pseudo
