package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// rawDocument is one document of a stream: its bytes as written and its
// value.
type rawDocument struct {
	// raw is the document as written: YAML, or JSON when isJSON.
	raw    []byte
	isJSON bool
	value  any
}

// UnmarshalJSON keeps the bytes of a JSON document and decodes them as
// encoding/json decodes into an any.
func (d *rawDocument) UnmarshalJSON(b []byte) error {
	d.raw, d.isJSON = bytes.Clone(b), true
	return json.Unmarshal(b, &d.value)
}

// splitter reads a stream as k8s.io/apimachinery's YAMLOrJSONDecoder does
// (the decoder kubectl reads files with), step for step, but keeps each
// document's bytes: once a document is decoded, a key written twice in it
// is gone. A stream that starts with "{" is read as JSON objects one after
// the other; when the first or second of them fails to decode, the rest is
// read as YAML. Any other stream is YAML documents separated by "---".
// FuzzSplit holds it to the library's decoder.
type splitter struct {
	stream       *utilyaml.StreamReader
	json         *json.Decoder
	jsonConsumed int64
	yaml         *utilyaml.YAMLReader
	count        int
}

// newSplitter reads r; it looks at most bufferSize bytes ahead to tell a
// JSON stream.
func newSplitter(r io.Reader, bufferSize int) *splitter {
	stream, _, mightBeJSON := utilyaml.GuessJSONStream(r, bufferSize)
	s := &splitter{stream: stream}
	if mightBeJSON {
		s.json = json.NewDecoder(stream)
	} else {
		s.yaml = utilyaml.NewYAMLReader(bufio.NewReader(stream))
	}
	return s
}

// next returns the next document, or io.EOF after the last one.
func (s *splitter) next() (rawDocument, error) {
	var firstErr error
	if s.json != nil {
		var d rawDocument
		err := s.json.Decode(&d)
		if err == nil {
			s.count++
			consumed := s.json.InputOffset() - s.jsonConsumed
			s.stream.Consume(int(consumed))
			s.jsonConsumed += consumed
			return d, nil
		}
		if errors.Is(err, io.EOF) {
			return rawDocument{}, err
		}
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			firstErr = utilyaml.JSONSyntaxError{Offset: syntax.Offset, Err: syntax}
		} else {
			firstErr = err
		}
		if s.count > 1 {
			// More than one JSON object read: a JSON stream, not YAML.
			return rawDocument{}, err
		}
		s.stream.Rewind()
		if err := s.consumeWhitespace(); err == nil {
			s.yaml = utilyaml.NewYAMLReader(bufio.NewReader(s.stream))
		}
		s.json = nil
	}
	if s.yaml != nil {
		d, err := s.nextYAML()
		if err == nil {
			s.count++
			s.stream.Consume(len(d.raw))
			return d, nil
		}
		if errors.Is(err, io.EOF) {
			return rawDocument{}, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return rawDocument{}, firstErr
	}
	return rawDocument{}, fmt.Errorf("decoding failed as both JSON and YAML")
}

// nextYAML reads a YAML document as YAMLToJSONDecoder does.
func (s *splitter) nextYAML() (rawDocument, error) {
	raw, err := s.yaml.Read()
	if err != nil && !errors.Is(err, io.EOF) {
		return rawDocument{}, err
	}
	d := rawDocument{raw: raw}
	if len(raw) != 0 {
		if err := yaml.Unmarshal(raw, &d.value); err != nil {
			return rawDocument{}, err
		}
	}
	return d, err
}

// consumeWhitespace drops the whitespace after a JSON object, up to and
// including the first newline, as the library's decoder does before it
// reads the rest as YAML.
func (s *splitter) consumeWhitespace() error {
	consumed := 0
	for {
		buf, err := s.stream.ReadN(4)
		if errors.Is(err, io.EOF) {
			return err
		}
		r, sz := utf8.DecodeRune(buf)
		if r == utf8.RuneError || sz == 0 {
			return fmt.Errorf("invalid utf8 rune")
		}
		s.stream.RewindN(len(buf) - sz)
		if !unicode.IsSpace(r) {
			s.stream.RewindN(sz)
			s.stream.Consume(consumed)
			return nil
		}
		consumed += sz
		if r == '\n' {
			s.stream.Consume(consumed)
			return nil
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return io.EOF
}
