// Differential oracle for src/werf/paths.ts: answers glob questions with the
// real github.com/bmatcuk/doublestar/v4 (the engine werf uses) and Go's own
// path cleaning. One JSON array per input line: ["raw", glob, path] asks
// doublestar.PathMatch; ["werf", glob, path] asks werf's three-pattern rule
// (glob, glob with trailing star-only segments trimmed, and that + "/**/*").
// ["valid", glob, ""] asks doublestar.ValidatePathPattern; ["werfvalid",
// glob, ""] asks it for the cleaned glob and the derived "T/**/*".
// Output per line: "1" match, "0" no match, "E" bad pattern.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

func formatPath(p string) string {
	if p == "" || p == "." {
		return ""
	}
	return filepath.Clean(p)
}

func trimTrailingStars(p string) string {
	parts := strings.Split(p, "/")
	for len(parts) > 0 && strings.TrimRight(parts[len(parts)-1], "*") == "" {
		parts = parts[:len(parts)-1]
	}
	return filepath.Join(parts...)
}

func werfMatch(glob, path string) (bool, error) {
	g := formatPath(glob)
	t := trimTrailingStars(g)
	for _, candidate := range []string{g, t, filepath.Join(t, "**", "*")} {
		ok, err := doublestar.PathMatch(candidate, formatPath(path))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var q [3]string
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(2)
		}
		var ok bool
		var err error
		if q[0] == "valid" {
			ok = doublestar.ValidatePathPattern(q[1])
		} else if q[0] == "werfvalid" {
			g := formatPath(q[1])
			ok = doublestar.ValidatePathPattern(g) && doublestar.ValidatePathPattern(filepath.Join(trimTrailingStars(g), "**", "*"))
		} else if q[0] == "werf" {
			ok, err = werfMatch(q[1], q[2])
		} else {
			ok, err = doublestar.PathMatch(q[1], q[2])
		}
		switch {
		case err != nil:
			fmt.Fprintln(out, "E")
		case ok:
			fmt.Fprintln(out, "1")
		default:
			fmt.Fprintln(out, "0")
		}
	}
}
