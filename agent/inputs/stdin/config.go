package stdin

// Settings are the keys of a stdin input: it has none of its own (format,
// labels and tenant are keys of every input).
type Settings struct{}

// Validate accepts the empty settings.
func (*Settings) Validate() error { return nil }
