package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tarn-project/tarn/agent/durable"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// loadKey returns the pseudonym key: from keyFile when set, else from
// dataDir/key, which is created once (32 random bytes, hex, mode 0600) and
// reused, so pseudonyms stay stable across restarts.
func loadKey(keyFile, dataDir string) ([]byte, error) {
	if keyFile != "" {
		return pseudo.LoadKeyFile(keyFile)
	}
	p := filepath.Join(dataDir, "key")
	k, err := pseudo.LoadKeyFile(p)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	if k, err = pseudo.GenerateKey(); err != nil {
		return nil, err
	}
	if err := durable.WriteFile(p, pseudo.EncodeKey(k), 0o600); err != nil {
		return nil, fmt.Errorf("agent: create key: %w", err)
	}
	return k, nil
}
