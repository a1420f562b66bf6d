package anonip

import "bytes"

// ScanLines is a bufio.SplitFunc that frames lines as anonip reads its
// stdin on Linux: a line ends at "\n" only (which is not part of the
// token; a "\r" before it stays and AppendLine's rstrip removes it), and a
// last line without "\n" is a line too. For every token, write
// AppendLine(dst, token) followed by "\n". A bufio.Scanner needs a Buffer
// large enough for the longest line; anonip has no limit.
func ScanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// ScanLinesUniversal is a bufio.SplitFunc for anonip's --input FILE mode,
// where Python opens the file with universal newlines: "\n", "\r\n" and a
// lone "\r" all end a line.
func ScanLinesUniversal(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	case data[i] == '\n':
		return i + 1, data[:i], nil
	case i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case atEOF:
		return i + 1, data[:i], nil
	}
	return 0, nil, nil // a "\r" at the end of the buffer: is "\n" next?
}

// AppendText anonymizes a whole stdin stream the way anonip does and
// appends anonip's complete output: each "\n"-terminated line (and a final
// unterminated one) becomes AppendLine's result plus "\n". Empty input
// gives no output.
func (a *Anonymizer) AppendText(dst, text []byte) []byte {
	for len(text) > 0 {
		line := text
		i := bytes.IndexByte(text, '\n')
		if i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		dst = a.AppendLine(dst, line)
		dst = append(dst, '\n')
	}
	return dst
}
