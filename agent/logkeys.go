package agent

// Log keys of the agent's structured logs. Values are names from the
// configuration, paths, offsets, counts and errors — never record content.
const (
	keyComponent = "component"
	keyInput     = "input"
	keySink      = "sink"
	keyPath      = "path"
	keyCount     = "count"
	keyConfig    = "config"
	keyAddr      = "addr"
)
